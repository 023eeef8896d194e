"""Counterexamples made concrete: a failed obligation's Z3 pre-state and step as a model
state and a spec action, saved as a replayable trace (TRC-3, TRC-4).

The pre-state holds one message per non-zero ghost sum (the delivered message carries
the step's own payload); `intermargin replay` runs the trace through the model.
"""

from typing import Any

from pydantic import TypeAdapter

from model.observe import observe
from model.state import (
    AccountStatus,
    Chain,
    Ghost,
    Hub,
    Listing,
    Network,
    Oracle,
    Report,
    SpokeAccount,
    State,
)
from proofs.checking import Counterexample
from proofs.state import DELISTED, LISTED, REMOVED, UNLISTED
from proofs.transitions import KIND_BY_NAME
from proofs.universe import PRICES, params_of
from spec.actions import Action, Deliver, Inject
from spec.bounds import HUB, MAX_AMOUNT
from spec.messages import (
    HUB_KINDS,
    CreditGrant,
    CreditRelease,
    Envelope,
    LiquidationReport,
    LossClaim,
    MarginCall,
    Message,
)
from spec.params import Params
from spec.trace import Trace, TraceMeta, TraceStep

LISTING_NAME: dict[int, Listing] = {UNLISTED: "unlisted", DELISTED: "delisted", REMOVED: "removed"}
"""LIST-1: the model's name of each listing code but LISTED (a listed spoke has no entry)."""


def insured(params: Params, obligation: str, get: Any) -> Params:
    """INS-1: the parameters with the insurance structure an obligation was stated under
    (`insurance-bound-STRUCTURE/...`) and the limits of the counterexample, so that the trace
    replays under the rule that failed."""
    for structure in ("per_partition", "shared_limited"):
        if obligation.startswith(f"insurance-bound-{structure}/"):
            limits = tuple(
                (s.id, min(max(int(get("ins_limit", s.id)), 0), MAX_AMOUNT)) for s in params.spokes
            )
            update = {"insurance_structure": structure, "insurance_limits": limits}
            return params.model_copy(update=update)
    return params


def trace_of(cex: Counterexample, mutant: str | None = None) -> Trace:
    """The counterexample's pre-state as a concrete state (one message per non-zero ghost
    sum; the delivered message carries the step's own payload) and its action; `mutant`
    names the mutant of the encoding it was found against, if any (TRC-3).

    The trace replays through the (unmutated) model from `initial`.
    """
    params = params_of(cex.obligation)
    pre: dict[tuple[str, tuple[Any, ...]], Any] = {(n, k): b for n, k, b, _ in cex.rows}

    def get(name: str, *key: str) -> Any:
        return pre[(name, key)]

    params = insured(params, cex.obligation, get)

    accounts = params.accounts
    spokes = tuple(s.id for s in params.spokes)
    assets = tuple(a.id for a in params.assets)
    inflight = sorted(get("inflight"))
    delivered = set(get("delivered"))
    next_id = int(get("next_id"))
    free_ids = list(inflight)
    messages: list[tuple[str, str, Message]] = []  # (sender, receiver, payload)

    step_message: tuple[str, str, Message] | None = None
    if cex.kind and cex.kind.startswith("Deliver"):
        step_message = message_of(cex)
        mid = int(cex.params["id"])  # type: ignore[arg-type]
    for a in accounts:
        for s in spokes:
            sums = {n: int(get(n, a, s)) for n in ("fl_grant", "fl_release", "fl_claim", "fl_liq")}
            counts = {n: int(get(n, a, s)) for n in ("n_call", "n_liq")}
            if step_message and step_message[2].account == a and s in step_message[:2]:
                sums, counts = subtract(step_message[2], sums, counts)
            epoch = int(get("epoch", a))
            if sums["fl_grant"] > 0:
                e = epoch if int(get("hot_grants", a)) > 0 else max(epoch - 1, 0)
                messages.append((HUB, s, CreditGrant(account=a, amount=sums["fl_grant"], epoch=e)))
            if counts["n_call"] > 0:
                messages.append((HUB, s, MarginCall(account=a, epoch=epoch)))
            if sums["fl_release"] > 0:
                messages.append((s, HUB, CreditRelease(account=a, amount=sums["fl_release"])))
            if sums["fl_claim"] > 0:
                messages.append((s, HUB, LossClaim(account=a, amount=sums["fl_claim"])))
            if counts["n_liq"] > 0:
                liq = LiquidationReport(
                    account=a,
                    epoch=max(int(get("called_epoch", s, a)), 0),
                    seq=max(int(get("seq", s, a)), 0),
                    released=max(sums["fl_liq"], 0),
                    loss=0,
                    balance=int(get("balance", s, a)),
                )
                messages.append((s, HUB, liq))
    envelopes: dict[int, Envelope] = {}
    if step_message is not None and mid not in delivered:
        envelopes[mid] = Envelope(
            id=mid, sender=step_message[0], receiver=step_message[1], payload=step_message[2]
        )
    ids = [i for i in free_ids if i not in envelopes and i >= 1]
    for sender, receiver, payload in messages:
        if ids:
            i = ids.pop(0)
        else:
            i = max([next_id - 1, *envelopes, *delivered, 0]) + 1
            next_id = i + 1
        envelopes[i] = Envelope(id=i, sender=sender, receiver=receiver, payload=payload)
    next_id = max([next_id, *(i + 1 for i in envelopes), *(i + 1 for i in delivered)])
    now = int(get("now"))
    quotes = quotes_for(params, seen_prices(cex), now)
    compromised = {s for s in spokes if get("compromised", s)}
    if get("hub_compromised"):
        compromised.add(HUB)
    state = State(
        params=params,
        hub=Hub(
            collateral={(a, x): int(get("collateral", a, x)) for a in accounts for x in assets},
            alloc={(a, s): int(get("alloc", a, s)) for a in accounts for s in spokes},
            status={
                a: AccountStatus(
                    liquidating=bool(get("liquidating", a)),
                    epoch=int(get("epoch", a)),
                    pending=frozenset(s for s in spokes if get("pending", a, s)),
                    requirement_at_call=int(get("req_at_call", a)),
                    deadline=int(get("deadline", a)),
                )
                for a in accounts
            },
            reports={
                (a, s): Report(seq=int(get("rep_seq", a, s))) for a in accounts for s in spokes
            },
            caps={s: int(get("cap", s)) for s in spokes},
            paused=frozenset(s for s in spokes if get("paused", s)),
            listing={
                s: LISTING_NAME[int(get("listing", s))]
                for s in spokes
                if int(get("listing", s)) != LISTED
            },
            insurance={x: int(get("insurance", x)) for x in assets},
            owed={(s, x): int(get("owed", s, x)) for s in spokes for x in assets},
            socialized={s: int(get("socialized", s)) for s in spokes},
            drawn={s: int(get("drawn", s)) for s in spokes if int(get("drawn", s))},
            tokens={x: int(get("tokens", x)) for x in assets},
            # INV-LIVE-2 is among the premises, so a severed pair here is not pending and
            # holds no allocation: the trace replays as the model would have reached it
            severed=frozenset((a, s) for a in accounts for s in spokes if get("severed", a, s)),
            buckets={s.id: int(get("bucket", s.id)) for s in params.spokes if s.rate_limit},
        ),
        spokes={
            (s, a): SpokeAccount(
                line=int(get("line", s, a)),
                balance=int(get("balance", s, a)),
                positions={},
                seq=int(get("seq", s, a)),
                called_epoch=int(get("called_epoch", s, a)),
                frozen=bool(get("frozen", s, a)),
            )
            for s in spokes
            for a in accounts
        },
        network=Network(in_flight=envelopes, delivered=frozenset(delivered), next_id=next_id),
        oracle=Oracle(now=now, quotes=quotes),
        ghost=Ghost(
            granted={s: int(get("granted", s)) for s in spokes},
            released={s: int(get("released", s)) for s in spokes},
            claimed={s: int(get("claimed", s)) for s in spokes},
            paid={s: int(get("paid", s)) for s in spokes},
            compromised=frozenset(compromised),
        ),
        # FIN-6: halted chains (a segment is not rebuilt: its ids would have to name the
        # envelopes above; counterexamples of the finality universe replay without it)
        chains={s: Chain(halted=True) for s in spokes if get("halted", s)},
    )
    return Trace(
        params=params,
        initial=observe(state),
        steps=(TraceStep(action=action_of(cex, seen_prices(cex))),),
        meta=TraceMeta(
            source="proof",
            invariant=cex.invariant,
            mutant=mutant,
            note=f"{cex.obligation}: counterexample to induction (the Z3 pre-state, concretized)",
        ),
    )


def seen_prices(cex: Counterexample) -> dict[str, int | None]:
    """The prices the counterexample's step saw (PROOF-PRICE-5); `PRICES` where it read none."""
    return {x: cex.prices.get(x, p) for x, p in PRICES.items()} | dict(cex.prices)


def quotes_for(
    params: Params, prices: dict[str, int | None], now: int
) -> dict[str, tuple[int, int]]:
    """PROOF-PRICE-5: oracle quotes that make the model see exactly `prices` at time `now`:
    a quorum of an asset's feeds quote its price, just now (fresh, no outlier: the lower
    median of equal quotes is the price, ORA-1..ORA-5); an unavailable asset gets no quote
    (below quorum).  A fixed-price asset needs none."""
    quotes: dict[str, tuple[int, int]] = {}
    for asset in params.assets:
        price = prices.get(asset.id)
        if asset.fixed_price is not None or price is None:
            continue
        feeds = [f.id for f in params.oracle.feeds if f.asset == asset.id]
        quotes |= {f: (price, now) for f in feeds[: params.oracle.quorum]}
    return quotes


def subtract(
    msg: Message, sums: dict[str, int], counts: dict[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """Ghost sums less what the step's own message carries."""
    sums, counts = dict(sums), dict(counts)
    if isinstance(msg, CreditGrant):
        sums["fl_grant"] -= msg.amount
    elif isinstance(msg, CreditRelease):
        sums["fl_release"] -= msg.amount
    elif isinstance(msg, LossClaim):
        sums["fl_claim"] -= msg.amount
    elif isinstance(msg, LiquidationReport):
        sums["fl_liq"] -= msg.released + msg.loss
        counts["n_liq"] -= 1
    elif isinstance(msg, MarginCall):
        counts["n_call"] = max(counts["n_call"] - 1, 0)
    return sums, counts


def not_encoded(kind: str, prices: dict[str, int | None]) -> dict[str, Any]:
    """The fields of an action or message kind the encoding does not hold (markets, feeds,
    report contents): a counterexample's step gets these, a trade or a quote at the ETH
    price the step saw (PROOF-PRICE-5)."""
    eth = prices.get("ETH") or PRICES["ETH"] or 1
    table: dict[str, dict[str, Any]] = {
        "Trade": {"market": "ETH-PERP", "price": eth},
        "PublishPrice": {"feed": "chainlink", "price": eth},
        "ExposureReport": {"positions": ()},
    }
    return table.get(kind, {})


ACTIONS: TypeAdapter[Action] = TypeAdapter(Action)
MESSAGES: TypeAdapter[Message] = TypeAdapter(Message)


def numbers(cex: Counterexample) -> dict[str, int]:
    """The counterexample's numeric action parameters."""
    return {k: int(v) for k, v in cex.params.items() if not isinstance(v, tuple)}


def decoded(
    kind: str, ids: dict[str, Any], fields: dict[str, int], prices: dict[str, int | None]
) -> dict[str, Any]:
    """An action's or message's fields: the inverse of `proofs.concrete_actions.encode_step`,
    which reads the kind's ids and parameters by name."""
    return {"type": kind, **ids, **fields, **not_encoded(kind, prices)}


def message_of(cex: Counterexample) -> tuple[str, str, Message]:
    """The (sender, receiver, payload) of a Deliver* or Inject* counterexample's message."""
    assert cex.kind is not None
    kind = KIND_BY_NAME[cex.kind]
    assert kind.message is not None
    p = numbers(cex)
    fields = {name: p[name] for name, _ in kind.params if name != "id"}
    payload = MESSAGES.validate_python(
        decoded(kind.message, {"account": cex.ids["account"]}, fields, seen_prices(cex))
    )
    if kind.action == "Inject":
        return cex.ids["sender"], cex.ids["receiver"], payload
    s = cex.ids["spoke"]
    return (HUB, s, payload) if kind.message in HUB_KINDS else (s, HUB, payload)


def action_of(cex: Counterexample, prices: dict[str, int | None] | None = None) -> Action:
    """The counterexample's step as a spec action (at the prices it saw, PROOF-PRICE-5)."""
    prices = seen_prices(cex) if prices is None else prices
    assert cex.kind is not None
    kind = KIND_BY_NAME[cex.kind]
    p = numbers(cex)
    if kind.action == "Deliver":
        return Deliver(message_id=p["id"])
    if kind.action == "Inject":
        sender, receiver, payload = message_of(cex)
        return Inject(sender=sender, receiver=receiver, payload=payload)
    ids: dict[str, Any] = {role: cex.ids[role] for role in kind.roles}
    fields = {name: p[name] for name, _ in kind.params}
    return ACTIONS.validate_python(decoded(kind.action, ids, fields, prices))
