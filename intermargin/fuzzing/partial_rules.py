"""The machine's moves about partial liquidation on a spoke (FLOW-PART-1..7).

`partial_liquidation_story` levers an account up on a spoke and moves the price to the
highest level, in 1% steps down, at which its book there is locally unhealthy, so that a
keeper's `PartialLiquidate` closes the least that restores it; a second one is refused
ACCOUNT_HEALTHY.  `partial_liquidate` is a keeper trying any (spoke, account): mostly
ACCOUNT_HEALTHY, NOT_RESTORABLE after a crash.
"""

import hypothesis
from hypothesis.stateful import rule

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.checked import CheckedMachine, counted
from model.oracle import prices_of
from model.partial import locally_healthy
from model.valuation import underlyings
from spec import actions


class PartialRules(CheckedMachine):
    """Rules for partial liquidation."""

    def locally_unhealthy_price(self, spoke: str, account: str) -> int | None:
        """The highest price, in steps of 1% down from the current level, at which the book
        on the spoke is locally unhealthy (FLOW-PART-1); None if there is none.  Tried on
        copies of the state (the model is pure)."""
        acct = self.state.spokes[(spoke, account)]
        if not acct.positions:
            return None
        for price in self.price_grid():
            state = self.priced_at(price)
            prices = prices_of(state, underlyings(state.params, acct.positions))
            if prices is not None and not locally_healthy(state, acct, prices):
                return price
        return None

    @rule(account=fz.accounts, lots=fz.lots)
    @counted
    def partial_liquidation_story(self, account: str, lots: int) -> None:
        """FLOW-PART-1..6: a levered account, the price just low enough to make its book
        locally unhealthy, a keeper's partial liquidation, then another (refused)."""
        spoke = fz.SPOKE_IDS[0]
        self.level = fz.START_PRICE
        self.publish_everywhere(self.level)
        self.lever(account, spoke, 2_000, lots)
        price = self.locally_unhealthy_price(spoke, account)
        hypothesis.event(f"locally unhealthy price: {'found' if price else 'none'}")
        if price is None:
            return
        self.level = price
        self.publish_everywhere(price)
        first = self.apply(actions.PartialLiquidate(spoke=spoke, account=account))
        hypothesis.event(f"partial liquidation: {first.error or 'accepted'}")
        again = self.apply(actions.PartialLiquidate(spoke=spoke, account=account))
        hypothesis.event(f"partial liquidation again: {again.error or 'accepted'}")

    @rule(spoke=fz.spokes, account=fz.accounts)
    @counted
    def partial_liquidate(self, spoke: str, account: str) -> None:
        """FLOW-PART-1, FLOW-PART-7: a keeper tries a partial liquidation anywhere."""
        self.apply(actions.PartialLiquidate(spoke=spoke, account=account))
