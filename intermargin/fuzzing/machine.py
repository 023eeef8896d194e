"""The state machine: honest users and an adversarial world driving the reference model.

Every rule is one move of someone in the story: a user deposits, a hub grants
credit, a trader trades on a spoke, a feed publishes, time passes, a keeper
liquidates, governance caps, pauses, lists, delists or removes a spoke
(`intermargin.fuzzing.listing`), the network delivers any message in flight in any
order (or withholds a spoke's messages for a while) or replays a delivered one
(`intermargin.fuzzing.network_rules`), a forger carries a forged one, and one spoke
(`ADVERSARY`) may turn malicious and send arbitrary well-formed payloads on its own
channel (`intermargin.fuzzing.adversary`).

Every model step goes through `apply` (`intermargin.fuzzing.checked`), which records
and checks it; `drain_fairly` is the propagation check (INV-LIQ-2).
"""

import hypothesis
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.adversary import AdversaryRules
from intermargin.fuzzing.channel_rules import ChannelRules
from intermargin.fuzzing.checked import AfterStep, Run, counted
from intermargin.fuzzing.constants import project_constants
from intermargin.fuzzing.edges import EdgeMachine
from intermargin.fuzzing.finality_rules import FinalityRules
from intermargin.fuzzing.flow_rules import FlowRules
from intermargin.fuzzing.listing import ListingMachine
from intermargin.fuzzing.liveness import LivenessRules
from intermargin.fuzzing.network_rules import NetworkRules
from intermargin.fuzzing.notice import NoticeMachine
from intermargin.fuzzing.partial_rules import PartialRules
from model.channels import channel_heads
from model.invariants import quiescent_and_accounted, quiescent_despite_compromised
from model.liquidation import health_prices
from model.risk import is_healthy, reported_books
from model.state import State, initial_state
from spec import actions
from spec.actions import Action
from spec.errors import Error
from spec.messages import LiquidationReport, MarginCall
from spec.params import Params


class MarginMachine(
    FlowRules,
    PartialRules,
    NetworkRules,
    AdversaryRules,
    LivenessRules,
    ListingMachine,
    NoticeMachine,
    EdgeMachine,
    ChannelRules,
    FinalityRules,
):
    """Honest and adversarial runs of the reference model (deliveries, replays and withholding
    come from `NetworkRules`; forgers and the malicious spoke from `AdversaryRules`; the
    liveness rules, force-settle and silent spokes, from `LivenessRules`; listing from
    `ListingMachine`; changes of risk parameters with notice from `NoticeMachine`; the edge
    rules that reach rare outcomes from `EdgeMachine`; channel heads and rate limits from
    `ChannelRules`; top-up calls and payouts from `FlowRules`; halts and reorgs from
    `FinalityRules`; partial liquidation from `PartialRules`)."""

    _unhealthy: tuple[State, Params, tuple[str, ...]] | None = None
    """The last state (and parameters) `unhealthy` judged, and what it found."""

    def has_position(self) -> bool:
        return any(acct.positions for acct in self.state.spokes.values())

    # --- the world starts --------------------------------------------------------------

    @initialize(
        funding=st.lists(fz.funding, min_size=3, max_size=3),
        params=fz.variants,
        window=st.booleans(),
    )
    @counted
    def open_market(self, funding: list[tuple[str, int]], params: Params, window: bool) -> None:
        """The system starts from one of the parameter variants (CHAN-1, RATE-1), half the
        runs with a top-up window declared (FLOW-CALL-1); every feed quotes the start price;
        each account deposits some USD or ETH."""
        self.params = fz.with_window(params) if window else params
        self.state = self.before_last = initial_state(self.params)
        hypothesis.event(f"top-up window {'on' if window else 'off'}")
        hypothesis.event(f"channels {params.channel_ordering}, rate limits {self.rated}")
        self.publish_everywhere(fz.START_PRICE)
        for account, (asset, amount) in zip(fz.ACCOUNT_IDS, funding, strict=False):
            if amount:
                self.apply(actions.Deposit(account=account, asset=asset, amount=amount))

    # --- users at the hub --------------------------------------------------------------

    @rule(account=fz.accounts, holding=fz.deposits)
    @counted
    def deposit(self, account: str, holding: tuple[str, int]) -> None:
        self.apply(actions.Deposit(account=account, asset=holding[0], amount=holding[1]))

    @rule(account=fz.accounts, holding=fz.withdrawals)
    @counted
    def withdraw(self, account: str, holding: tuple[str, int]) -> None:
        self.apply(actions.Withdraw(account=account, asset=holding[0], amount=holding[1]))

    @rule(account=fz.accounts, spoke=fz.spokes, amount=fz.credit)
    @counted
    def grant_credit(self, account: str, spoke: str, amount: int) -> None:
        self.apply(actions.GrantCredit(account=account, spoke=spoke, amount=amount))

    # --- traders on spokes -------------------------------------------------------------

    @rule(spoke=fz.spokes, account=fz.accounts, share=st.sampled_from((1, 2, 0)))
    @counted
    def release_credit(self, spoke: str, account: str, share: int) -> None:
        """Give back all of the line, half of it, or more than it holds (share 0)."""
        line = self.state.spokes[(spoke, account)].line
        amount = max(line // share, 1) if share else line + 100
        self.apply(actions.ReleaseCredit(spoke=spoke, account=account, amount=amount))

    @rule(
        spoke=fz.spokes,
        account=fz.accounts,
        market=fz.markets,
        qty=fz.quantities,
        slip=fz.slippage,
    )
    @counted
    def trade(self, spoke: str, account: str, market: str, qty: int, slip: int) -> None:
        price = max(self.mark_of(market) + slip, 0)
        self.apply(actions.Trade(spoke=spoke, account=account, market=market, qty=qty, price=price))

    @precondition(has_position)
    @rule(data=st.data(), whole=st.booleans())
    @counted
    def close_position(self, data: st.DataObject, whole: bool) -> None:
        """A risk-reducing trade: close all or one lot of an open position at the mark."""
        open_positions = sorted(
            (spoke, account, market, pos.qty)
            for (spoke, account), acct in self.state.spokes.items()
            for market, pos in acct.positions.items()
        )
        spoke, account, market, qty = data.draw(st.sampled_from(open_positions))
        size = -qty if whole else (-1 if qty > 0 else 1)
        price = self.mark_of(market)
        self.apply(
            actions.Trade(spoke=spoke, account=account, market=market, qty=size, price=price)
        )

    @rule(account=fz.accounts, spoke=fz.spokes, amount=fz.credit, lots=fz.lots)
    @counted
    def lever_up(self, account: str, spoke: str, amount: int, lots: int) -> None:
        """A trader's usual round: the hub grants credit, the grant arrives, the trader goes
        long perpetuals at the mark, the report arrives (each a model step of its own)."""
        self.lever(account, spoke, amount, lots)

    @rule(spoke=fz.spokes, account=fz.accounts)
    @counted
    def send_report(self, spoke: str, account: str) -> None:
        self.apply(actions.SendReport(spoke=spoke, account=account))

    # --- the oracle and time -------------------------------------------------------------

    @rule(feed=fz.feeds, price=st.one_of(fz.prices, fz.outlier_prices))
    @counted
    def publish_quote(self, feed: str, price: int) -> None:
        """One feed moves alone: an outlier, or the first of a move."""
        self.apply(actions.PublishPrice(feed=feed, price=price))

    @rule(price=fz.prices)
    @counted
    def move_market(self, price: int) -> None:
        """Every feed agrees on a new price: a jump large enough to liquidate levered accounts."""
        self.level = price
        self.publish_everywhere(price)

    @rule(seconds=fz.seconds)
    @counted
    def advance_time(self, seconds: int) -> None:
        """Time passes; past max_age every quote is stale and prices fail closed."""
        self.apply(actions.AdvanceTime(seconds=seconds))

    def aged_books(self) -> list[str]:
        """Accounts with positions reported by a spoke they use (what RISK-AGE-4 judges)."""
        return [a for a in self.params.accounts if any(reported_books(self.state, a).values())]

    def has_aged_book(self) -> bool:
        return bool(self.aged_books())

    @precondition(has_aged_book)
    @rule(data=st.data(), grant=st.booleans())
    @counted
    def spokes_fall_silent(self, data: st.DataObject, grant: bool) -> None:
        """RISK-AGE-4: no spoke reports for longer than the bound, then prices are fresh
        again; a grant or a withdrawal for an account with reported positions fails closed
        REPORT_TOO_OLD (unless an earlier guard decides first)."""
        self.apply(actions.AdvanceTime(seconds=self.params.max_report_age_s + 1))
        self.publish_everywhere(self.level)
        account = data.draw(st.sampled_from(self.aged_books()))
        if grant:
            spoke = data.draw(fz.spokes)
            outcome = self.apply(actions.GrantCredit(account=account, spoke=spoke, amount=100))
        else:
            outcome = self.apply(actions.Withdraw(account=account, asset="USD", amount=1))
        hypothesis.event(f"after silence: {outcome.error or 'accepted'}")

    # --- keepers and governance --------------------------------------------------------

    def unhealthy(self) -> list[str]:
        """Accounts the hub would find unhealthy now (with the prices to tell).  Worked out
        once per state (the state is immutable and only `apply` replaces it): Hypothesis asks
        `has_unhealthy` again for the same state while it picks a rule, and
        `keeper_liquidates` asks once more."""
        known = self._unhealthy
        if known is not None and known[0] is self.state and known[1] is self.params:
            return list(known[2])
        found = []
        for account in self.params.accounts:
            prices = health_prices(self.state, account)
            if prices is not None and not is_healthy(self.state, account, prices):
                found.append(account)
        self._unhealthy = (self.state, self.params, tuple(found))
        return found

    def has_unhealthy(self) -> bool:
        return bool(self.unhealthy())

    @precondition(has_unhealthy)
    @rule(data=st.data())
    @counted
    def keeper_liquidates(self, data: st.DataObject) -> None:
        """A keeper watching the hub liquidates an account it finds unhealthy."""
        self.apply(actions.Liquidate(account=data.draw(st.sampled_from(self.unhealthy()))))

    @rule(account=fz.accounts)
    @counted
    def liquidate(self, account: str) -> None:
        self.apply(actions.Liquidate(account=account))

    @rule(spoke=fz.spokes, cap=fz.caps)
    @counted
    def set_cap(self, spoke: str, cap: int) -> None:
        self.apply(actions.SetCap(spoke=spoke, cap=self.within_rate(spoke, cap)))

    @rule(spoke=fz.spokes)
    @counted
    def pause_spoke(self, spoke: str) -> None:
        self.apply(actions.PauseSpoke(spoke=spoke))

    @rule(spoke=fz.spokes)
    @counted
    def unpause_spoke(self, spoke: str) -> None:
        self.apply(actions.UnpauseSpoke(spoke=spoke))

    @rule(action=fz.bad_inputs)
    @counted
    def bad_input(self, action: Action) -> None:
        """An action naming an undeclared id or an out-of-bounds amount (ERR-2)."""
        self.apply(action)

    # --- stories across the system ------------------------------------------------------

    def worth_draining(self) -> bool:
        """Something to propagate: a liquidation running, or a few messages in flight."""
        liquidating = any(s.liquidating for s in self.state.hub.status.values())
        return liquidating or len(self.state.network.in_flight) >= 4

    @rule(account=fz.accounts, spoke=fz.spokes, lots=fz.lots)
    @counted
    def wrong_way_crash(self, account: str, spoke: str, lots: int) -> None:
        """The classic source of bad debt: an account backed by ETH goes long ETH on a spoke,
        then ETH crashes, cutting its collateral and its position at once; a keeper
        liquidates.  Each step is a model step; the network delivers the rest later."""
        self.publish_everywhere(fz.START_PRICE)
        self.apply(actions.Deposit(account=account, asset="ETH", amount=2))
        self.lever(account, spoke, 2_000, lots)
        self.level = fz.PRICE_LEVELS[0]
        self.publish_everywhere(self.level)
        self.apply(actions.Liquidate(account=account))

    @precondition(worth_draining)
    @rule(data=st.data())
    @counted
    def drain_fairly(self, data: st.DataObject) -> None:
        """INV-LIQ-2: with fresh prices, no pause and nothing withheld, deliver everything
        in a drawn order; then no liquidation is running (but one waiting only on a
        compromised spoke, which can spoil its answer) and every honest spoke holds
        exactly the exposure and credit the hub accounts for."""
        self.withheld = frozenset()
        for spoke in sorted(self.state.hub.paused):
            self.apply(actions.UnpauseSpoke(spoke=spoke))
        self.settle_chains()  # FIN-7: chains resume, segments become final
        self.publish_everywhere(self.level)
        bound = 2 * len(self.state.network.in_flight) + 2 * len(fz.SPOKE_IDS) + 4
        deliveries = waits = 0
        while self.state.network.in_flight and deliveries < bound:
            pending = channel_heads(self.state)  # CHAN-5: heads, on ordered channels
            outcome = self.apply(actions.Deliver(message_id=data.draw(st.sampled_from(pending))))
            if outcome.error is Error.RATE_LIMITED and waits < bound:
                waits += 1  # RATE-6: fair delivery retries once the bucket has refilled
                self.refill_buckets()
                continue
            if outcome.status == "rejected":
                self.fail(
                    (("INV-LIQ-2", f"delivery rejected with {outcome.error} in a fair drain"),)
                )
            deliveries += 1
        if self.state.network.in_flight:
            left = sorted(self.state.network.in_flight)
            self.fail((("INV-LIQ-2", f"messages {left} still in flight after {bound} rounds"),))
        if self.state.ghost.compromised:
            message = quiescent_despite_compromised(self.state)
        else:
            message = quiescent_and_accounted(self.state)
        if message is not None:
            self.fail((("INV-LIQ-2", message),))

    def calls_in_flight(self) -> list[int]:
        """Margin calls in flight to a spoke the network is not withholding."""
        return [
            mid
            for mid in self.deliverable()
            if isinstance(self.state.network.in_flight[mid].payload, MarginCall)
        ]

    def has_call_in_flight(self) -> bool:
        return bool(self.calls_in_flight())

    @precondition(has_call_in_flight)
    @rule(data=st.data())
    @counted
    def pause_before_the_answer(self, data: st.DataObject) -> None:
        """LIQ-3: a spoke obeys a margin call; if its answer claims a loss, governance
        pauses the spoke while the answer is in flight, and delivered, the answer is
        refused SPOKE_PAUSED and waits in flight."""
        call = data.draw(st.sampled_from(self.calls_in_flight()))
        spoke = self.state.network.in_flight[call].receiver
        emitted = self.apply(actions.Deliver(message_id=call)).emitted
        answers = [
            mid
            for mid in emitted
            if isinstance(answer := self.state.network.in_flight[mid].payload, LiquidationReport)
            and answer.loss > 0
        ]
        if answers:
            self.apply(actions.PauseSpoke(spoke=spoke))
            outcome = self.apply(actions.Deliver(message_id=answers[0]))
            hypothesis.event(f"answer while paused: {outcome.error or 'accepted'}")


RULE_NAMES = (
    "open_market",
    *sorted(r.function.__name__ for r in MarginMachine.setup_state().rules),
)
"""Every rule of the machine (the initializer included), for the coverage report."""


def run_machine(
    config: Settings,
    *,
    seed: int | None = None,
    run: Run | None = None,
    hooks: tuple[AfterStep, ...] = (),
) -> Run:
    """Run the machine under `config` (and `seed`, which overrides a derandomizing
    profile), with `hooks` checked after every step besides the run's own.

    Never raises for a failing run: the error Hypothesis ended with is in
    `run.error` and the (shrunk) failure in `run.failure`.
    """
    run = run if run is not None else Run()
    run.hooks = (*run.hooks, *hooks)

    def factory() -> MarginMachine:
        return MarginMachine(run)

    if seed is not None:
        factory = hypothesis.seed(seed)(factory)
    try:
        with project_constants():  # VER-DET-1: the same run however it was launched
            # Hypothesis accepts any factory returning a machine; its stub says `type`.
            run_state_machine_as_test(factory, settings=config)  # type: ignore[arg-type]
    except Exception as e:
        run.error = e
    return run
