"""States the model reaches: a short random run of actions from genesis, over the fuzzing
parameters and their variants (ordered channels, rate limits, DIFF-7) and the insurance
structures with limits (INS-1), so that every part of the state can be away from its
genesis value: collateral, credit, positions, liquidations, messages in flight, listings,
draws on the fund, buckets and the ghost counters."""

from hypothesis import strategies as st

from intermargin.fuzzing import strategies as fz
from model import State, initial_state, step
from spec.actions import (
    Action,
    AdvanceTime,
    DelistSpoke,
    Deliver,
    Deposit,
    ForceSettle,
    GrantCredit,
    Inject,
    Liquidate,
    PublishPrice,
    ReleaseCredit,
    SendReport,
    Trade,
    Withdraw,
)
from spec.messages import LossClaim
from spec.params import Params

PARAMS: tuple[Params, ...] = (
    *fz.VARIANTS[1:],
    fz.PARAMS.model_copy(
        update={
            "insurance_structure": "per_partition",
            "insurance_limits": (("arb", 200), ("sol", 150)),
        }
    ),
    fz.PARAMS.model_copy(
        update={"insurance_structure": "shared_limited", "insurance_limits": (("sol", 300),)}
    ),
)


def actions(state: State) -> st.SearchStrategy[Action]:
    """An action that may take effect in `state`: honest ones, deliveries of what is in
    flight, and a claim by the adversary's spoke."""
    choices: list[st.SearchStrategy[Action]] = [
        st.builds(Deposit, account=fz.accounts, asset=st.just("USD"), amount=st.just(2_000)),
        st.builds(Deposit, account=fz.accounts, asset=st.just("ETH"), amount=st.just(1)),
        st.builds(Withdraw, account=fz.accounts, asset=st.just("USD"), amount=st.just(100)),
        st.builds(GrantCredit, account=fz.accounts, spoke=fz.spokes, amount=fz.credit),
        st.builds(ReleaseCredit, spoke=fz.spokes, account=fz.accounts, amount=st.just(100)),
        st.builds(
            Trade,
            spoke=fz.spokes,
            account=fz.accounts,
            market=fz.markets,
            qty=fz.quantities,
            price=fz.prices,
        ),
        st.builds(SendReport, spoke=fz.spokes, account=fz.accounts),
        st.builds(PublishPrice, feed=fz.feeds, price=fz.prices),
        st.builds(AdvanceTime, seconds=fz.seconds),
        st.builds(Liquidate, account=fz.accounts),
        st.builds(ForceSettle, account=fz.accounts),
        st.builds(DelistSpoke, spoke=fz.spokes),
        st.builds(
            Inject,
            sender=st.just(fz.ADVERSARY),
            receiver=st.just("hub"),
            payload=st.builds(LossClaim, account=fz.accounts, amount=fz.wire_amounts),
        ),
    ]
    if state.network.in_flight:
        ids = sorted(state.network.in_flight)
        choices += [st.builds(Deliver, message_id=st.sampled_from(ids))] * 4
    return st.one_of(choices)


@st.composite
def reached(draw: st.DrawFn, max_steps: int = 24) -> State:
    """A state reached from genesis: quotes published, every account funded and granted
    credit on a spoke, the grants delivered and a trade made; then up to `max_steps` random
    steps (every one taken: a refused step leaves the state as it was, INV-ATOMIC-1)."""
    params = draw(st.sampled_from(PARAMS))
    state = initial_state(params)
    setup: list[Action] = [PublishPrice(feed=f, price=fz.START_PRICE) for f in fz.FEED_IDS]
    for account in fz.ACCOUNT_IDS:
        setup += [
            Deposit(account=account, asset="USD", amount=2_000),
            GrantCredit(account=account, spoke=draw(fz.spokes), amount=1_000),
        ]
    for action in setup:
        state, _ = step(state, action)
    for message_id in sorted(state.network.in_flight):
        state, _ = step(state, Deliver(message_id=message_id))
    for _ in range(draw(st.integers(min_value=0, max_value=max_steps))):
        state, _ = step(state, draw(actions(state)))
    return state
