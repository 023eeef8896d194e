"""The machine's moves about top-up calls and payouts (FLOW-CALL-1..5, FLOW-PAY-1..3).

Half the runs declare a top-up window (`strategies.with_window`, drawn by the initializer):
in those, `margin_call_story` levers an account up and moves the price just enough to make
it unhealthy but not below the call floor, so that a keeper's `Liquidate` opens a call;
`margin_called` then tops up, tries to take credit out, or waits the window out.  `pay_out`
pays partitions what the hub owes them (all, half, or one too much).
"""

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.checked import CheckedMachine, counted
from model.calls import below_call_floor, health_prices
from model.risk import is_healthy, reported_books
from spec import actions


class FlowRules(CheckedMachine):
    """Rules for top-up calls and payouts."""

    def window_run(self) -> bool:
        """This run declares a top-up window (FLOW-CALL-1)."""
        return self.params.top_up_window_s > 0

    def mildly_unhealthy_price(self, account: str) -> int | None:
        """The highest price, in steps of 1% down from the current level, at which the account
        would be unhealthy; None if at that price it is below the call floor (FLOW-CALL-2) or
        no such price is found.  Tried on copies of the state (the model is pure)."""
        if not any(reported_books(self.state, account).values()):
            # No position at the hub, so no margin is required: where such an account is
            # unhealthy its net equity is below zero, below the call floor too (RISK-10).
            return None
        return self.first_unhealthy_price(account, self.price_grid())

    def first_unhealthy_price(self, account: str, grid: range) -> int | None:
        """The first price of `grid` at which the account would be unhealthy, each tried; None
        if at that price it is below the call floor (FLOW-CALL-2) or there is none."""
        for price in grid:
            state = self.priced_at(price)
            prices = health_prices(state, account)
            if prices is not None and not is_healthy(state, account, prices):
                return None if below_call_floor(state, account, prices) else price
        return None

    @precondition(window_run)
    @rule(account=fz.accounts, lots=fz.lots)
    @counted
    def margin_call_story(self, account: str, lots: int) -> None:
        """FLOW-CALL-1: an account goes long on a spoke, then the price falls just enough to
        make it unhealthy but not below the call floor; a keeper's Liquidate opens the
        top-up call instead of liquidating (the window is on)."""
        self.level = fz.START_PRICE
        self.publish_everywhere(self.level)
        self.lever(account, fz.SPOKE_IDS[0], 2_000, lots)
        price = self.mildly_unhealthy_price(account)
        hypothesis.event(f"mildly unhealthy price: {'found' if price else 'none'}")
        if price is None:
            return
        self.level = price
        self.publish_everywhere(price)
        outcome = self.apply(actions.Liquidate(account=account))
        opened = self.state.hub.status[account].called
        hypothesis.event(f"call story: {outcome.error or ('call opened' if opened else 'liq')}")

    def called(self) -> list[str]:
        """Accounts under an open top-up call (FLOW-CALL-1)."""
        return [a for a, s in self.state.hub.status.items() if s.called]

    def has_called(self) -> bool:
        return bool(self.called())

    @precondition(has_called)
    @rule(data=st.data(), answer=st.sampled_from(("top up", "withdraw", "wait", "grant")))
    @counted
    def margin_called(self, data: st.DataObject, answer: str) -> None:
        """FLOW-CALL-2..4: an account under a top-up call: its owner tops up (the call closes
        if the account is healthy after), or tries to take credit out (refused
        MARGIN_CALLED), or lets the window pass, after which a keeper liquidates it (unless
        it is healthy again).  A keeper who does not wait is refused IN_TOP_UP_WINDOW."""
        account = data.draw(st.sampled_from(self.called()))
        if answer == "top up":
            self.apply(actions.Deposit(account=account, asset="USD", amount=3_000))
            hypothesis.event(f"top-up: call {'open' if self.has_called() else 'met'}")
        elif answer == "withdraw":
            outcome = self.apply(actions.Withdraw(account=account, asset="USD", amount=1))
            hypothesis.event(f"withdraw under a call: {outcome.error or 'accepted'}")
        elif answer == "grant":
            spoke = data.draw(fz.spokes)
            outcome = self.apply(actions.GrantCredit(account=account, spoke=spoke, amount=100))
            hypothesis.event(f"grant under a call: {outcome.error or 'accepted'}")
        else:
            early = self.apply(actions.Liquidate(account=account))
            hypothesis.event(f"liquidate in the window: {early.error or 'accepted'}")
            self.apply(actions.AdvanceTime(seconds=self.params.top_up_window_s))
            self.publish_everywhere(self.level)
            late = self.apply(actions.Liquidate(account=account))
            hypothesis.event(f"liquidate after the window: {late.error or 'accepted'}")

    def owed(self) -> list[tuple[str, str]]:
        """(spoke, asset) pairs the hub owes something to (HUB-LOSS-1)."""
        return sorted(k for k, v in self.state.hub.owed.items() if v)

    @rule(data=st.data(), share=st.sampled_from((1, 2, 0)))
    @counted
    def pay_out(self, data: st.DataObject, share: int) -> None:
        """FLOW-PAY-1..3: the hub pays a partition all it is owed of an asset, half of it, or
        one more than it is owed (refused EXCEEDS_OWED); a paused spoke is paid nothing."""
        owed = self.owed()
        spoke, asset = data.draw(st.sampled_from(owed)) if owed else ("arb", "USD")
        pool = self.state.hub.owed[(spoke, asset)]
        amount = max(pool // share, 1) if share else pool + 1
        self.apply(actions.PayOut(spoke=spoke, asset=asset, amount=amount))
