"""Witness coverage: what the runs reached, so no invariant passes because nothing happened.

Three tallies: the machine's rules run, the outcome of every model step
(`accepted`, or `rejected:CODE` / `ignored:CODE`), and the phases of a
liquidation (declared, call obeyed, answer received, settled, bad debt charged
to the insurance fund, bad debt socialized).  `missing` names whatever a run
never reached: every rule, `accepted`, every error code of spec/errors.py
(with either status) and every phase, minus the deliberate exclusions below.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from model.finality import chain_of, finality_of
from model.state import State
from spec.actions import Action, Deliver, ForceSettle, Inject, Liquidate, Reorg
from spec.errors import Error
from spec.messages import Message
from spec.outcome import Outcome

PHASES = (
    "declared",
    "call obeyed",
    "answer received",
    "settled",
    "bad debt to insurance",
    "socialized",
    "force-settled",
    "reorg rolled back",
    "reorg beyond finality",
)
"""LIQ-1..LIQ-7 and HUB-LOSS-3..4, in the order a liquidation goes through them, LIVE-3: a
liquidation ended by force-settle, and FIN-5, FIN-8: a reorg that rolled a spoke back within
its finality, and one beyond it."""

EXCLUDED: dict[str, str] = {}
"""Outcomes deliberately not required, with the reason.  Empty: the machine reaches every
error code of spec/errors.py, the identity errors (ERR-2) through its bad-input rule and
the message errors through the malicious spoke's payloads."""


def outcome_key(outcome: Outcome) -> str:
    """`accepted`, or `rejected:CODE` / `ignored:CODE`."""
    if outcome.error is None:
        return outcome.status
    return f"{outcome.status}:{outcome.error.value}"


def delivered_payload(pre: State, action: Action) -> Message | None:
    """The message a Deliver or Inject step hands to its receiver."""
    if isinstance(action, Inject):
        return action.payload
    if isinstance(action, Deliver):
        envelope = pre.network.in_flight.get(action.message_id)
        return None if envelope is None else envelope.payload
    return None


def phases_reached(pre: State, action: Action, post: State, outcome: Outcome) -> list[str]:
    """The liquidation phases this step went through."""
    if not outcome.accepted:
        return []
    reached = []
    payload = delivered_payload(pre, action)
    if isinstance(action, Liquidate):
        reached.append("declared")
    if isinstance(action, ForceSettle):
        reached.append("force-settled")
    if isinstance(action, Reorg):
        if chain_of(pre, action.spoke).segment and not chain_of(post, action.spoke).segment:
            reached.append("reorg rolled back")
        if action.depth > finality_of(pre, action.spoke):
            reached.append("reorg beyond finality")
    if payload is not None and payload.type == "MarginCall":
        reached.append("call obeyed")
    if payload is not None and payload.type == "LiquidationReport":
        reached.append("answer received")
    if any(s.liquidating and not post.hub.status[a].liquidating for a, s in pre.hub.status.items()):
        reached.append("settled")
    if any(post.hub.insurance[x] < v for x, v in pre.hub.insurance.items()):
        reached.append("bad debt to insurance")
    if sum(post.hub.socialized.values()) > sum(pre.hub.socialized.values()):
        reached.append("socialized")
    return reached


@dataclass
class Coverage:
    """Tallies over one or many runs of the machine."""

    rules: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    phases: Counter[str] = field(default_factory=Counter)
    model_steps: int = 0
    runs: int = 0

    def record_rule(self, name: str) -> None:
        self.rules[name] += 1

    def record_step(self, pre: State, action: Action, post: State, outcome: Outcome) -> None:
        self.model_steps += 1
        self.outcomes[outcome_key(outcome)] += 1
        for phase in phases_reached(pre, action, post, outcome):
            self.phases[phase] += 1

    def codes(self) -> Counter[str]:
        """Outcomes by error code alone (`accepted` kept as is)."""
        tally: Counter[str] = Counter()
        for key, n in self.outcomes.items():
            tally[key.split(":", 1)[-1]] += n
        return tally

    def missing(self, rule_names: Iterable[str]) -> list[str]:
        """Everything required and never reached, as `rule X`, `outcome CODE`, `phase P`."""
        codes = self.codes()
        required_codes = ["accepted", *(e.value for e in Error)]
        return (
            [f"rule {r}" for r in rule_names if not self.rules[r]]
            + [f"outcome {c}" for c in required_codes if c not in EXCLUDED and not codes[c]]
            + [f"phase {p}" for p in PHASES if not self.phases[p]]
        )

    def merge(self, other: "Coverage") -> None:
        self.rules.update(other.rules)
        self.outcomes.update(other.outcomes)
        self.phases.update(other.phases)
        self.model_steps += other.model_steps
        self.runs += other.runs
