"""The model's state as the observable JSON state, and back (OBS-1..OBS-4, OBS-6, OBS-7)."""

from collections.abc import Mapping

from model.notice import with_applied
from model.state import (
    AccountStatus,
    Chain,
    Ghost,
    Hub,
    Network,
    Oracle,
    Position,
    Positions,
    Report,
    Scheduled,
    Segment,
    SpokeAccount,
    State,
    V,
)
from spec.messages import PositionView
from spec.observable import (
    AccountStatusView,
    ChainView,
    GhostView,
    HubView,
    NetworkView,
    ObservableState,
    Quote,
    ReportView,
    ScheduledView,
    SegmentView,
    SpokeAccountView,
)
from spec.params import Params


def nest(flat: Mapping[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    """{(a, b): v} as {a: {b: v}}."""
    out: dict[str, dict[str, int]] = {}
    for (a, b), v in flat.items():
        out.setdefault(a, {})[b] = v
    return out


def flatten(nested: Mapping[str, Mapping[str, int]]) -> dict[tuple[str, str], int]:
    return {(a, b): v for a, inner in nested.items() for b, v in inner.items()}


def views(positions: Positions) -> tuple[PositionView, ...]:
    return tuple(
        PositionView(market=m, qty=p.qty, cost=p.cost) for m, p in sorted(positions.items())
    )


def unviews(positions: tuple[PositionView, ...]) -> dict[str, Position]:
    return {p.market: Position(p.qty, p.cost) for p in positions}


def account_view(acct: SpokeAccount) -> SpokeAccountView:
    return SpokeAccountView(
        line=acct.line,
        balance=acct.balance,
        positions=views(acct.positions),
        seq=acct.seq,
        called_epoch=acct.called_epoch,
        frozen=acct.frozen,
    )


def account_of(v: SpokeAccountView) -> SpokeAccount:
    return SpokeAccount(
        line=v.line,
        balance=v.balance,
        positions=unviews(v.positions),
        seq=v.seq,
        called_epoch=v.called_epoch,
        frozen=v.frozen,
    )


def chain_view(chain: Chain) -> ChainView:
    """FIN-1, FIN-6: a chain as JSON."""
    seg = chain.segment
    segment = (
        None
        if seg is None
        else SegmentView(
            checkpoint={a: account_view(acct) for a, acct in sorted(seg.checkpoint.items())},
            changed=seg.changed,
            sent=tuple(sorted(seg.sent)),
        )
    )
    return ChainView(halted=chain.halted, segment=segment)


def chain_of_view(view: ChainView) -> Chain:
    seg = view.segment
    segment = (
        None
        if seg is None
        else Segment(
            checkpoint={a: account_of(v) for a, v in seg.checkpoint.items()},
            changed=seg.changed,
            sent=frozenset(seg.sent),
        )
    )
    return Chain(halted=view.halted, segment=segment)


def observe(state: State, *, ghost: bool = True) -> ObservableState:
    """OBS-1..OBS-4, OBS-6, OBS-7: the observable state of `state`."""
    hub = state.hub
    reports: dict[str, dict[str, ReportView]] = {}
    for (a, s), r in hub.reports.items():
        reports.setdefault(a, {})[s] = ReportView(
            seq=r.seq, balance=r.balance, positions=views(r.positions), time=r.time
        )
    spokes: dict[str, dict[str, SpokeAccountView]] = {}
    for (s, a), acct in state.spokes.items():
        spokes.setdefault(s, {})[a] = account_view(acct)
    g = state.ghost
    return ObservableState(
        now=state.oracle.now,
        quotes={f: Quote(price=p, time=t) for f, (p, t) in sorted(state.oracle.quotes.items())},
        hub=HubView(
            collateral=nest(hub.collateral),
            alloc=nest(hub.alloc),
            status={
                a: AccountStatusView(
                    liquidating=st.liquidating,
                    epoch=st.epoch,
                    pending=tuple(sorted(st.pending)),
                    requirement_at_call=st.requirement_at_call,
                    deadline=st.deadline,
                    called=st.called,
                    called_at=st.called_at,
                )
                for a, st in hub.status.items()
            },
            reports=reports,
            caps=dict(hub.caps),
            paused=tuple(sorted(hub.paused)),
            insurance=dict(hub.insurance),
            owed=nest(hub.owed),
            socialized=dict(hub.socialized),
            tokens=dict(hub.tokens),
            linked={
                a: tuple(sorted(s for b, s in hub.linked if b == a))
                for a in sorted({a for a, _ in hub.linked})
            },
            severed={
                a: tuple(sorted(s for b, s in hub.severed if b == a))
                for a in sorted({a for a, _ in hub.severed})
            },
            listing=dict(sorted(hub.listing.items())),
            drawn=dict(sorted(hub.drawn.items())),
            buckets=dict(sorted(hub.buckets.items())),
            applied=by_param(hub.applied),
            scheduled=by_param(
                {
                    t: ScheduledView(
                        value=c.value, effective_at=c.effective_at, announced_at=c.announced_at
                    )
                    for t, c in hub.scheduled.items()
                }
            ),
        ),
        spokes=spokes,
        network=NetworkView(
            in_flight=tuple(env for _, env in sorted(state.network.in_flight.items())),
            delivered=tuple(sorted(state.network.delivered)),
            next_id=state.network.next_id,
        ),
        ghost=GhostView(
            granted=dict(g.granted),
            released=dict(g.released),
            claimed=dict(g.claimed),
            paid=dict(g.paid),
            compromised=tuple(sorted(g.compromised)),
        )
        if ghost
        else None,
        expiry_prices=dict(sorted(state.oracle.expiry_prices.items())),
        chains={s: chain_view(c) for s, c in sorted(state.chains.items())},
    )


def by_param(entries: Mapping[tuple[str, str], V]) -> dict[str, dict[str, V]]:
    """GOV-NOTICE-2..3: (parameter, target) -> value as parameter -> target -> value, sorted."""
    out: dict[str, dict[str, V]] = {}
    for (param, target), value in sorted(entries.items()):
        out.setdefault(param, {})[target] = value
    return out


def buckets_of(params: Params, seen: Mapping[str, int]) -> dict[str, int]:
    """RATE-2: every rate-limited spoke's bucket level: as observed, or full if the observed
    state does not say."""
    return {s.id: seen.get(s.id, s.rate_limit.capacity) for s in params.spokes if s.rate_limit}


def restore(params: Params, obs: ObservableState) -> State:
    """The model state an observable state describes (ghost counters zero if absent)."""
    hub = obs.hub
    zero = {s.id: 0 for s in params.spokes}
    g = obs.ghost
    applied = {(p, t): v for p, per in hub.applied.items() for t, v in per.items()}
    return State(
        params=with_applied(params, applied),
        hub=Hub(
            collateral=flatten(hub.collateral),
            alloc=flatten(hub.alloc),
            status={
                a: AccountStatus(
                    liquidating=st.liquidating,
                    epoch=st.epoch,
                    pending=frozenset(st.pending),
                    requirement_at_call=st.requirement_at_call,
                    deadline=st.deadline,
                    called=st.called,
                    called_at=st.called_at,
                )
                for a, st in hub.status.items()
            },
            reports={
                (a, s): Report(
                    seq=r.seq, balance=r.balance, positions=unviews(r.positions), time=r.time
                )
                for a, inner in hub.reports.items()
                for s, r in inner.items()
            },
            caps=dict(hub.caps),
            paused=frozenset(hub.paused),
            insurance=dict(hub.insurance),
            owed=flatten(hub.owed),
            socialized=dict(hub.socialized),
            tokens=dict(hub.tokens),
            linked=frozenset((a, s) for a, spokes in hub.linked.items() for s in spokes),
            severed=frozenset((a, s) for a, spokes in hub.severed.items() for s in spokes),
            listing=dict(hub.listing),
            drawn=dict(hub.drawn),
            buckets=buckets_of(params, hub.buckets),
            applied=applied,
            scheduled={
                (p, t): Scheduled(
                    value=c.value, effective_at=c.effective_at, announced_at=c.announced_at
                )
                for p, per in hub.scheduled.items()
                for t, c in per.items()
            },
        ),
        spokes={(s, a): account_of(v) for s, inner in obs.spokes.items() for a, v in inner.items()},
        network=Network(
            in_flight={env.id: env for env in obs.network.in_flight},
            delivered=frozenset(obs.network.delivered),
            next_id=obs.network.next_id,
        ),
        oracle=Oracle(
            now=obs.now,
            quotes={f: (q.price, q.time) for f, q in obs.quotes.items()},
            expiry_prices=dict(obs.expiry_prices),
        ),
        ghost=Ghost(
            granted=dict(g.granted) if g else zero,
            released=dict(g.released) if g else zero,
            claimed=dict(g.claimed) if g else zero,
            paid=dict(g.paid) if g else zero,
            compromised=frozenset(g.compromised) if g else frozenset(),
        ),
        chains={s: chain_of_view(c) for s, c in obs.chains.items()},
    )
