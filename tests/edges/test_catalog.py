"""The parameter look-ups (model/catalog.py): built once per parameter set, never another's."""

from model.catalog import _BUILT, build_catalog, catalog
from spec.examples import example_params


def test_a_parameter_set_is_indexed_once_and_looked_up_after() -> None:
    """The catalog is built once per parameter set: every later look-up returns the same
    indexes (the memoization the model's hot paths rely on), equal to a fresh build."""
    params = example_params()
    first = catalog(params)
    assert catalog(params) is first
    assert first == build_catalog(params)
    assert set(first.spokes) == {s.id for s in params.spokes}


def test_an_entry_left_by_another_parameter_set_under_the_same_id_is_not_used() -> None:
    """Memoized by identity: an entry under the id of `params` built for another object (an
    id Python reused after that object was freed) is rebuilt, never returned."""
    params = example_params()
    other = example_params().model_copy(update={"accounts": ("zed",)})
    _BUILT[id(params)] = (other, build_catalog(other))
    assert catalog(params).accounts == frozenset(params.accounts)
    assert catalog(params) is catalog(params)
