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


def catalog(params: Params) -> Catalog:
    """The id indexes of a parameter set, memoized by identity (hashing a whole parameter
    set on every look-up would cost more than the look-up; the cache changes no result)."""
    hit = _BUILT.get(id(params))
    if hit is not None and hit[0] is params:
        return hit[1]
    built = build_catalog(params)
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
