"""Look-ups into the parameters by id, built once per parameter set (pure memoization)."""

from dataclasses import dataclass

from spec.params import AssetParams, MarketParams, Params, SpokeParams


@dataclass(frozen=True)
class Catalog:
    """Parameters indexed by id."""

    assets: dict[str, AssetParams]
    markets: dict[str, MarketParams]
    spokes: dict[str, SpokeParams]
    feed_asset: dict[str, str]
    accounts: frozenset[str]


_BUILT: dict[int, tuple[Params, Catalog]] = {}

CACHED_PARAMETER_SETS = 256
"""At most this many parameter sets are indexed at once: a fuzz campaign draws a new set for
every run, and an entry keeps its set alive, so an unbounded memo would only grow."""


def catalog(params: Params) -> Catalog:
    """The id indexes of a parameter set, memoized by identity (hashing a whole parameter
    set on every look-up would cost more than the look-up; the cache changes no result).
    A full memo starts afresh."""
    hit = _BUILT.get(id(params))
    if hit is not None and hit[0] is params:
        return hit[1]
    built = build_catalog(params)
    if len(_BUILT) >= CACHED_PARAMETER_SETS:
        _BUILT.clear()
    _BUILT[id(params)] = (params, built)
    return built


def build_catalog(params: Params) -> Catalog:
    """The id indexes of a parameter set."""
    return Catalog(
        assets={a.id: a for a in params.assets},
        markets={m.id: m for m in params.markets},
        spokes={s.id: s for s in params.spokes},
        feed_asset={f.id: f.asset for f in params.oracle.feeds},
        accounts=frozenset(params.accounts),
    )
