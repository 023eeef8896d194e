"""Proof results for people and for CI: counterexample tables, traces, JSON and JUnit.

JSON report (`intermargin prove --json FILE`), format "intermargin-proofs/1", defined by
`spec.reports.ProofsReport` (schema `spec/schema/proofs-report.schema.json`):

    {
      "format": "intermargin-proofs/1",
      "ok": bool,                       # every obligation proved
      "timeout_s": float,               # the wall-clock safety net per query
      "rlimit": int,                    # the resource limit per obligation query
      "seconds": float,                 # wall time of the whole run
      "counts": {"proved": n, "FAILED": n, "unknown": n, "vacuous": n},
      "obligations": [
        {"name": str, "invariant": str, "part": "init" | "step" | "safety",
         "result": "proved" | "FAILED" | "unknown" | "vacuous",
         "seconds": float, "detail": str,
         "rlimit": int,                 # the most resource one of its queries used
         "exhausted": "rlimit" | "wall-clock",  # only when result is "unknown" (PROOF-BUDGET-3)
         "counterexample": null | {"kind": str | null, "ids": {..}, "params": {..},
                                   "inputs": {..}, "status": str | null,
                                   "error": str | null, "table": str, "trace": str | null}}
      ],
      "bmc": null | {"invariant": "INV-LIQ-2", "bound": int | null, "spokes": int,
                     "tight": bool, "detail": str, "seconds": float, "rlimit": int,
                     "exhausted": "rlimit" | "wall-clock"  # only when a K was unknown
                     }
    }

JUnit XML (`--junit FILE`): one <testsuite name="intermargin.proofs">, one <testcase>
per obligation (classname = the invariant id); a <failure> for FAILED, unknown or
vacuous, its text the counterexample table; an unknown's failure message says which
resource ran out ("INV-X unknown: rlimit N exhausted", PROOF-BUDGET-3).
"""

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from model.observe import observe
from model.state import (
    AccountStatus,
    Ghost,
    Hub,
    Network,
    Oracle,
    Report,
    SpokeAccount,
    State,
)
from proofs.obligations import Counterexample, Value, Verdict
from proofs.universe import PRICES, proof_params, proof_universe
from spec.actions import (
    Action,
    AdvanceTime,
    Deliver,
    Deposit,
    GrantCredit,
    Inject,
    Liquidate,
    PauseSpoke,
    PublishPrice,
    ReleaseCredit,
    SendReport,
    SetCap,
    Trade,
    UnpauseSpoke,
)
from spec.bounds import HUB
from spec.messages import (
    CreditGrant,
    CreditRelease,
    Envelope,
    ExposureReport,
    LiquidationReport,
    LossClaim,
    MarginCall,
    Message,
)
from spec.reports import ProofsReport
from spec.trace import Trace, TraceMeta, TraceStep

FORMAT = "intermargin-proofs/1"


def show(v: Value) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, tuple):
        return "{" + ",".join(map(str, v)) + "}"
    return str(v)


def action_text(cex: Counterexample) -> str:
    args = {**cex.ids, **{k: show(v) for k, v in cex.params.items()}}
    inner = ", ".join(f"{k}={v}" for k, v in args.items())
    text = f"{cex.kind}({inner})"
    if cex.inputs:
        text += " with " + ", ".join(f"{k}={show(v)}" for k, v in cex.inputs.items())
    if cex.status:
        text += f" -> {cex.status}" + (f" {cex.error}" if cex.error else "")
    return text


def table(cex: Counterexample) -> str:
    """The counterexample as people read it: the broken invariant, the step, and only the
    fields that changed or that the invariant mentions."""
    rows = []
    focus = set(cex.ids.values())
    assets = set(proof_universe().assets)
    for name, key, before, after in cex.rows:
        relevant = name in cex.mentions and all(k in focus or k in assets for k in key)
        if before == after and not relevant:
            continue
        label = name + ("[" + ",".join(key) + "]" if key else "")
        rows.append((label, show(before), show(after), "" if before == after else "<- changed"))
    head = f"{cex.invariant} ({cex.obligation}) broken"
    if cex.kind:
        head += f" by {action_text(cex)}"
    width = max([len(r[0]) for r in rows] + [5])
    cw = max([len(r[1]) for r in rows] + [len(r[2]) for r in rows] + [6])
    lines = [head, f"{'':<{width}}  {'before':>{cw}}  {'after':>{cw}}"]
    lines += [f"{a:<{width}}  {b:>{cw}}  {c:>{cw}}  {d}".rstrip() for a, b, c, d in rows]
    return "\n".join(lines)


# --- counterexample -> replayable trace -------------------------------------------------


def trace_of(cex: Counterexample, mutant: str | None = None) -> Trace:
    """The counterexample's pre-state as a concrete state (one message per non-zero ghost
    sum; the delivered message carries the step's own payload) and its action; `mutant`
    names the mutant of the encoding it was found against, if any (TRC-3).

    The trace replays through the (unmutated) model from `initial`.
    """
    params = proof_params()
    pre: dict[tuple[str, tuple[Any, ...]], Any] = {(n, k): b for n, k, b, _ in cex.rows}

    def get(name: str, *key: str) -> Any:
        return pre[(name, key)]

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
    feeds = [f.id for f in params.oracle.feeds if PRICES.get(f.asset) is not None]
    quotes = {f: (int(PRICES["ETH"] or 1), now) for f in feeds[: params.oracle.quorum]}
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
                )
                for a in accounts
            },
            reports={
                (a, s): Report(seq=int(get("rep_seq", a, s))) for a in accounts for s in spokes
            },
            caps={s: int(get("cap", s)) for s in spokes},
            paused=frozenset(s for s in spokes if get("paused", s)),
            insurance={x: int(get("insurance", x)) for x in assets},
            owed={(s, x): int(get("owed", s, x)) for s in spokes for x in assets},
            socialized={s: int(get("socialized", s)) for s in spokes},
            tokens={x: int(get("tokens", x)) for x in assets},
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
    )
    return Trace(
        params=params,
        initial=observe(state),
        steps=(TraceStep(action=action_of(cex)),),
        meta=TraceMeta(
            source="proof",
            invariant=cex.invariant,
            mutant=mutant,
            note=f"{cex.obligation}: counterexample to induction (the Z3 pre-state, concretized)",
        ),
    )


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


def message_of(cex: Counterexample) -> tuple[str, str, Message]:
    """The (sender, receiver, payload) of a Deliver* or Inject* counterexample's message."""
    assert cex.kind is not None
    p = {k: int(v) for k, v in cex.params.items() if not isinstance(v, tuple)}
    a = cex.ids["account"]
    short = cex.kind.removeprefix("Deliver").removeprefix("Inject")
    payload: Message
    if short == "Grant":
        payload = CreditGrant(account=a, amount=p["amount"], epoch=p["epoch"])
    elif short == "Call":
        payload = MarginCall(account=a, epoch=p["epoch"])
    elif short == "Release":
        payload = CreditRelease(account=a, amount=p["amount"])
    elif short == "Claim":
        payload = LossClaim(account=a, amount=p["amount"])
    elif short == "Report":
        payload = ExposureReport(account=a, seq=p["seq"], balance=p["balance"], positions=())
    else:
        payload = LiquidationReport(
            account=a,
            epoch=p["epoch"],
            seq=p["seq"],
            released=p["released"],
            loss=p["loss"],
            balance=p["balance"],
        )
    if cex.kind.startswith("Inject"):
        return cex.ids["sender"], cex.ids["receiver"], payload
    s = cex.ids["spoke"]
    hub_kind = short in ("Grant", "Call")
    return (HUB, s, payload) if hub_kind else (s, HUB, payload)


def action_of(cex: Counterexample) -> Action:
    """The counterexample's step as a spec action."""
    kind, ids = cex.kind, cex.ids
    p = {k: int(v) for k, v in cex.params.items() if not isinstance(v, tuple)}
    assert kind is not None
    if kind.startswith("Deliver"):
        return Deliver(message_id=p["id"])
    if kind.startswith("Inject"):
        sender, receiver, payload = message_of(cex)
        return Inject(sender=sender, receiver=receiver, payload=payload)
    simple: dict[str, Any] = {
        "Deposit": lambda: Deposit(account=ids["account"], asset=ids["asset"], amount=p["amount"]),
        "Withdraw": lambda: Withdraw_(ids, p),
        "GrantCredit": lambda: GrantCredit(
            account=ids["account"], spoke=ids["spoke"], amount=p["amount"]
        ),
        "ReleaseCredit": lambda: ReleaseCredit(
            spoke=ids["spoke"], account=ids["account"], amount=p["amount"]
        ),
        "Trade": lambda: Trade(
            spoke=ids["spoke"],
            account=ids["account"],
            market="ETH-PERP",
            qty=p["qty"],
            price=int(PRICES["ETH"] or 0),
        ),
        "SendReport": lambda: SendReport(spoke=ids["spoke"], account=ids["account"]),
        "PublishPrice": lambda: PublishPrice(feed="chainlink", price=int(PRICES["ETH"] or 1)),
        "AdvanceTime": lambda: AdvanceTime(seconds=p["seconds"]),
        "Liquidate": lambda: Liquidate(account=ids["account"]),
        "SetCap": lambda: SetCap(spoke=ids["spoke"], cap=p["cap"]),
        "PauseSpoke": lambda: PauseSpoke(spoke=ids["spoke"]),
        "UnpauseSpoke": lambda: UnpauseSpoke(spoke=ids["spoke"]),
    }
    action: Action = simple[kind]()
    return action


def Withdraw_(ids: dict[str, str] | Any, p: dict[str, int]) -> Action:
    from spec.actions import Withdraw

    return Withdraw(account=ids["account"], asset=ids["asset"], amount=p["amount"])


# --- reports ---------------------------------------------------------------------------


def counts(verdicts: Iterable[Verdict]) -> dict[str, int]:
    out = {"proved": 0, "FAILED": 0, "unknown": 0, "vacuous": 0}
    for v in verdicts:
        out[v.result] += 1
    return out


def cex_json(v: Verdict, trace_path: str | None) -> dict[str, Any] | None:
    c = v.counterexample
    if c is None:
        return None

    def plain(x: Value) -> Any:
        return list(x) if isinstance(x, tuple) else x

    return {
        "kind": c.kind,
        "ids": dict(c.ids),
        "params": {k: plain(x) for k, x in c.params.items()},
        "inputs": {k: plain(x) for k, x in c.inputs.items()},
        "status": c.status,
        "error": c.error,
        "table": table(c),
        "trace": trace_path,
    }


def exhausted_json(result: str, exhausted: str | None) -> dict[str, str]:
    """PROOF-BUDGET-3: `{"exhausted": ...}` for an unknown that ran out of a resource, else
    nothing (the key is absent for every other verdict)."""
    return {"exhausted": exhausted} if result == "unknown" and exhausted else {}


def failure_message(invariant: str, result: str, detail: str) -> str:
    """A JUnit failure message: `INV-X FAILED`, or for an unknown which resource ran out,
    `INV-X unknown: rlimit N exhausted` (PROOF-BUDGET-3)."""
    return f"{invariant} {result}: {detail}" if result == "unknown" else f"{invariant} {result}"


def to_json(
    verdicts: Sequence[Verdict],
    *,
    seconds: float,
    timeout_s: float,
    rlimit: int,
    bmc: dict[str, Any] | None = None,
    traces: dict[str, str] | None = None,
) -> dict[str, Any]:
    traces = traces or {}
    report = {
        "format": FORMAT,
        "ok": all(v.result == "proved" for v in verdicts) and (bmc is None or bool(bmc["ok"])),
        "timeout_s": timeout_s,
        "rlimit": rlimit,
        "seconds": round(seconds, 3),
        "counts": counts(verdicts),
        "obligations": [
            {
                "name": v.obligation,
                "invariant": v.invariant,
                "part": v.part,
                "result": v.result,
                "seconds": round(v.seconds, 4),
                "detail": v.detail,
                "rlimit": v.rlimit,
                **exhausted_json(v.result, v.exhausted),
                "counterexample": cex_json(v, traces.get(v.obligation)),
            }
            for v in verdicts
        ],
        "bmc": bmc,
    }
    return ProofsReport.model_validate(report).model_dump(mode="json", exclude_unset=True)


def to_junit(
    verdicts: Sequence[Verdict], *, seconds: float, bmc: dict[str, Any] | None = None
) -> str:
    """JUnit XML: one testcase per obligation (and one for the BMC if it ran)."""
    cases: list[JUnitCase] = []
    for v in verdicts:
        text = table(v.counterexample) if v.counterexample else v.detail
        failed = v.result != "proved"
        message = failure_message(v.invariant, v.result, v.detail) if failed else None
        cases.append(JUnitCase(v.obligation, v.invariant, v.seconds, message, v.result, text))
    if bmc is not None:
        result = "proved" if bmc["ok"] else "unknown" if "exhausted" in bmc else "FAILED"
        detail = str(bmc["detail"])
        message = None
        if not bmc["ok"]:
            message = (
                f"INV-LIQ-2 {detail}" if result == "unknown" else f"INV-LIQ-2 FAILED: {detail}"
            )
        cases.append(
            JUnitCase(
                "liquidation-propagation/bmc",
                "INV-LIQ-2",
                float(bmc["seconds"]),
                message,
                "" if bmc["ok"] else result,
                detail,
            )
        )
    return junit("intermargin.proofs", cases, seconds)


@dataclass(frozen=True)
class JUnitCase:
    """One JUnit testcase: a failed one has a `failure` message (and a type and text)."""

    name: str
    classname: str
    seconds: float
    failure: str | None = None
    kind: str = ""
    text: str = ""
    skipped: str | None = None


def junit(suite_name: str, cases: Sequence[JUnitCase], seconds: float) -> str:
    """JUnit XML: <testsuites> with one <testsuite> holding one <testcase> per case."""
    suite = ET.Element(
        "testsuite",
        name=suite_name,
        tests=str(len(cases)),
        failures=str(sum(1 for c in cases if c.failure is not None)),
        errors="0",
        skipped=str(sum(1 for c in cases if c.skipped is not None)),
        time=f"{seconds:.3f}",
    )
    for c in cases:
        case = ET.SubElement(
            suite, "testcase", classname=c.classname, name=c.name, time=f"{c.seconds:.4f}"
        )
        if c.failure is not None:
            node = ET.SubElement(case, "failure", message=c.failure, type=c.kind or "failure")
            node.text = c.text
        elif c.skipped is not None:
            ET.SubElement(case, "skipped", message=c.skipped)
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def dump_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=False) + "\n"
