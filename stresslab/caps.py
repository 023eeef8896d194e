"""Partition caps at opening: accounts are opened in order, and one whose grants would
take a spoke past its cap is not opened (STRESS-1, CAP-1, HUB-GRANT-3)."""

from __future__ import annotations

import numpy as np

from spec.params import Params
from stresslab.population import Population


def within_caps(population: Population, params: Params) -> Population:
    """CAP-1, HUB-GRANT-3: accounts are opened in order; one whose grants would take a
    spoke past its cap is not opened (its row left empty)."""
    used = np.zeros(len(params.spokes), dtype=np.int64)
    caps = np.array([s.cap for s in params.spokes], dtype=np.int64)
    keep = np.zeros(population.size, dtype=np.bool_)
    for row in range(population.size):
        if np.all(used + population.alloc[row] <= caps):
            used += population.alloc[row]
            keep[row] = True
    fields = {
        name: np.where(keep.reshape((-1,) + (1,) * (array.ndim - 1)), array, 0).astype(array.dtype)
        for name, array in vars(population).items()
        if array is not None
    }
    return Population(**fields)
