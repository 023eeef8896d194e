"""The parameter look-ups (model/catalog.py): built once per parameter set, never another's."""

from model.catalog import _BUILT, CACHED_PARAMETER_SETS, build_catalog, catalog
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


def test_the_memo_holds_a_bounded_number_of_parameter_sets() -> None:
    """A campaign draws a new parameter set for every run: the memo never holds more than
    `CACHED_PARAMETER_SETS` of them (each keeps its set alive), and the set looked up last is
    always among them."""
    _BUILT.clear()  # start from an empty memo whatever ran before
    base = example_params()
    drawn = [
        base.model_copy(update={"accounts": (f"a{i}",)}) for i in range(CACHED_PARAMETER_SETS + 2)
    ]
    sizes = []
    for params in drawn:
        assert catalog(params).accounts == {params.accounts[0]}
        sizes.append(len(_BUILT))
        assert _BUILT[id(params)][0] is params
    assert max(sizes) == CACHED_PARAMETER_SETS
    assert sizes[-1] == 2  # started afresh when full, at the 257th set
