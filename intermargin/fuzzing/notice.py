"""The state machine's changes of risk parameters with notice (GOV-NOTICE-1..5): announce a
change of a haircut or a latency at random (tightening or loosening, with or short of the
notice period), apply whatever is announced, and the timelock told as one story: governance
announces a tightening with exactly the notice period, an early apply is refused, time
passes, and the change takes effect.  INV-NOTICE-1 and INV-NOTICE-2 are checked on every
step by `CheckedMachine.apply`.

`MarginMachine` inherits these rules; kept apart so that one idea stays in one place.
"""

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.checked import CheckedMachine, counted
from model.notice import current_value
from spec import actions
from spec.actions import RISK_PARAM_BOUNDS

TARGETS: tuple[tuple[str, str], ...] = (
    *(("haircut_bps", a.id) for a in fz.PARAMS.assets),
    *(("latency_s", s) for s in fz.SPOKE_IDS),
)
"""PAR-26: every risk parameter of the fuzzing parameters."""

targets = st.sampled_from(TARGETS)
steps = st.sampled_from((500, -500, 1, -1, 0, 3_000))
"""How far from the value in force a change goes (clamped into the parameter's bounds)."""


class NoticeMachine(CheckedMachine):
    """Rules of governance over the risk parameters."""

    def changed(self, target: tuple[str, str], by: int) -> int:
        low, high = RISK_PARAM_BOUNDS[target[0]]
        return min(max(current_value(self.state.params, target) + by, low), high)

    @rule(which=targets, by=steps, early=st.sampled_from((0, 1, 60)))
    @counted
    def announce_change(self, which: tuple[str, str], by: int, early: int) -> None:
        """GOV-NOTICE-2: a change taking effect `early` seconds short of the notice period
        (0: exactly at its end) or (`early` 1) at once."""
        target = which
        value = self.changed(target, by)
        notice = self.params.notice_s
        delay = max(notice - early, 0) if early != 1 else 0
        outcome = self.apply(
            actions.ProposeParamChange(
                param=target[0],  # type: ignore[arg-type]
                target=target[1],
                value=value,
                effective_at=self.state.oracle.now + delay,
            )
        )
        way = "tightening" if value > current_value(self.state.params, target) else "loosening"
        hypothesis.event(f"announce a {way}: {outcome.error or 'accepted'}")

    @rule(which=targets)
    @counted
    def apply_change(self, which: tuple[str, str]) -> None:
        """GOV-NOTICE-3: apply the change announced, if any and if due."""
        target = which
        outcome = self.apply(
            actions.ApplyParamChange(param=target[0], target=target[1])  # type: ignore[arg-type]
        )
        hypothesis.event(f"apply a change: {outcome.error or 'accepted'}")

    def unrated(self) -> bool:
        """No spoke is rate limited: a day's wait refills every bucket (RATE-4), and the
        rate-limited runs are the ones that reach RATE_LIMITED (DIFF-7)."""
        return not any(s.rate_limit for s in self.params.spokes)

    @precondition(unrated)
    @rule(which=targets, by=st.sampled_from((1, 500, 3_000)))
    @counted
    def tighten_with_notice(self, which: tuple[str, str], by: int) -> None:
        """GOV-NOTICE-2..3, INV-NOTICE-1: a tightening announced with exactly the notice
        period is refused CHANGE_NOT_DUE before its time and takes effect at it (in the runs
        without rate limits: the wait would refill every bucket)."""
        target = which
        value = self.changed(target, by)
        notice = self.params.notice_s
        due = self.state.oracle.now + notice
        param, of = target
        self.apply(
            actions.ProposeParamChange(param=param, target=of, value=value, effective_at=due)  # type: ignore[arg-type]
        )
        early = self.apply(actions.ApplyParamChange(param=param, target=of))  # type: ignore[arg-type]
        hypothesis.event(f"apply a tightening early: {early.error or 'accepted'}")
        self.apply(actions.AdvanceTime(seconds=notice))
        late = self.apply(actions.ApplyParamChange(param=param, target=of))  # type: ignore[arg-type]
        hypothesis.event(f"apply a tightening when due: {late.error or 'accepted'}")
