"""The named stress scenarios (`intermargin scenario NAME`), one module each.

Each is pure data (`Scenario`): parameters and a fixed list of actions, with a
short story saying what it shows.  `intermargin.timeline` runs and renders them.
"""

from intermargin.errors import UsageError
from intermargin.scenarios.crash import CRASH
from intermargin.scenarios.delist import DELIST
from intermargin.scenarios.expiry import EXPIRY_SCENARIO
from intermargin.scenarios.hedged import HEDGED
from intermargin.scenarios.malicious_spoke import MALICIOUS_SPOKE
from intermargin.scenarios.naked_option import NAKED_OPTION
from intermargin.scenarios.netting import NETTING
from intermargin.scenarios.oracle_outage import ORACLE_OUTAGE
from intermargin.scenarios.ordered_channel import ORDERED_CHANNEL
from intermargin.scenarios.reorg import REORG
from intermargin.scenarios.replay import REPLAY
from intermargin.scenarios.scenario import Scenario
from intermargin.scenarios.silent_spoke import SILENT_SPOKE
from intermargin.scenarios.top_up import TOP_UP

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        NETTING,
        HEDGED,
        CRASH,
        MALICIOUS_SPOKE,
        ORACLE_OUTAGE,
        REPLAY,
        NAKED_OPTION,
        ORDERED_CHANNEL,
        TOP_UP,
        EXPIRY_SCENARIO,
        SILENT_SPOKE,
        DELIST,
        REORG,
    )
}


def scenario(name: str) -> Scenario:
    """The scenario called `name`, or a one-line UsageError naming the known ones."""
    try:
        return SCENARIOS[name]
    except KeyError:
        known = ", ".join(SCENARIOS)
        raise UsageError(f"unknown scenario {name!r} (known: {known})") from None


__all__ = ["SCENARIOS", "Scenario", "scenario"]
