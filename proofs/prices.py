"""Why the liquidation BMC may fix its prices (PROOF-PRICE-4), checked per step.

The BMC of liquidation propagation (`proofs.bmc`, INV-LIQ-2) unrolls its deliveries at
one live price vector (`BMC_CTX`): with symbolic prices its query at K = 2 runs out of
its resource limit.  That loses nothing if no step it takes can tell two live price
vectors apart in what the BMC follows.  So for the accepted liquidation and every
delivery kind, from any pre-state (not only one meeting the invariants: the BMC leaves
untracked fields arbitrary), the step at the symbolic prices `price.*` and the same step
at unrelated symbolic prices `again.*` agree on the status, the error code, every field
the BMC tracks (`proofs.bmc.TRACKED`) and every message sent (when, kind, payload).
Prices move only which tokens a seizure takes and how much of a loss is paid, insured
or socialized (the ledger buckets, outside the BMC's cone of influence); whether a price
exists at all is a guard (HUB-LOSS-5), and propagation is claimed under live prices.
"""

from collections.abc import Mapping

import z3

from proofs.bmc import TRACKED
from proofs.premises import Query, symbolic_action
from proofs.state import Expr, Universe, equal, fresh
from proofs.transitions import Kind, Transition
from proofs.transitions.context import Ctx
from proofs.transitions.outcome import ACCEPTED, Result
from proofs.universe import price_bounds, price_contexts, price_var


def moved(ctx: Ctx, prefix: str = "again") -> Ctx:
    """PROOF-PRICE-3: the prices a later step sees after the oracle moved: each symbolic
    price of `ctx` replaced by a fresh variable `prefix.ASSET`, unrelated to the first."""
    return Ctx(
        prices={x: price_var(prefix, x) if z3.is_expr(p) else p for x, p in ctx.prices.items()}
    )


def same_effect(a: Result, b: Result) -> Expr:
    """The two results agree on what the BMC follows: status, error, tracked fields, and
    the messages sent (built by the same rule, so in the same order)."""
    if len(a.post.sent) != len(b.post.sent):
        return z3.BoolVal(False)
    sent = []
    for m, n in zip(a.post.sent, b.post.sent, strict=True):
        if (m.kind, m.sender, m.receiver, m.account, tuple(m.fields)) != (
            n.kind,
            n.sender,
            n.receiver,
            n.account,
            tuple(n.fields),
        ):
            return z3.BoolVal(False)
        sent.append(m.when == n.when)
        sent += [z3.Implies(m.when, m.fields[f] == n.fields[f]) for f in m.fields]
    return z3.And(
        a.status == b.status,
        a.error == b.error,
        equal(a.post, b.post, TRACKED),
        *sent,
    )


def independence_queries(
    u: Universe, table: Mapping[str, Transition], kind: Kind, ids: Mapping[str, str]
) -> list[Query]:
    """PROOF-PRICE-4: the kind's step at two unrelated live price vectors has the same
    effect on what the BMC follows, from any pre-state."""
    live = price_contexts(u)[0]
    other = moved(live)
    pre = fresh(u, "pre")
    act, inp, bounds = symbolic_action(kind, ids)
    first = table[kind.name](live, pre, act, inp)
    second = table[kind.name](other, pre, act, inp)
    premises = z3.And(bounds, price_bounds(live), price_bounds(other))
    return [
        Query(
            premises,
            same_effect(first, second),
            first.status == ACCEPTED,
            pre,
            first.post,
            first,
            act,
            inp,
            kind.name,
            live,
        )
    ]
