"""The TypeScript build (examples/ts-build) agrees with the model, step by step.

`examples/ts-build/check.py` drives the build over the adapter protocol v1 and the
model in-process over hand-written stories and seeded random runs, and compares the
outcome and the observable state (OBS-1..OBS-4) after every step. These tests run it
with a small budget, show that it reaches every chapter's outcomes, and that it
catches a build with one rule broken. They need `node` on PATH.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "examples" / "ts-build"
CHECK = BUILD / "check.py"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not on PATH: the TS build cannot run")


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECK), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )


def reached(stdout: str) -> dict[str, int]:
    """The `count  action status error` lines of check.py's summary (before the values)."""
    steps = stdout.split("value cases agreed")[0]
    found = re.findall(r"^\s+(\d+)\s+(\S.*)$", steps, flags=re.MULTILINE)
    return {kind: int(n) for n, kind in found}


def decided(stdout: str) -> dict[str, int]:
    """The `count  rule` lines of check.py's value summary."""
    _, _, values = stdout.partition("value cases agreed")
    found = re.findall(r"^\s+(\d+)\s+(\S.*)$", values, flags=re.MULTILINE)
    return {rule: int(n) for n, rule in found}


def impl(src: Path, *flags: str) -> str:
    return " ".join([str(NODE), str(src / "main.js"), *flags])


def test_build_agrees_with_the_model_on_every_chapter() -> None:
    """Stories and random runs over all declared chapters: every outcome and observation
    equal (STEP-1..STEP-3, OUT-1..OUT-3, OBS-1..OBS-4), and the runs reach accepted,
    rejected and ignored steps of every chapter (HUB-GRANT-4, MSG-10, GOV-1, SPK-TRADE-5,
    LIQ-2, ORA-5, ADV-2). Marks, PnL and margins equal exactly on generated books, some
    deciding by the spread charge, the short option minimum, expiry and an option's own
    volatility (PRC-8, PRC-12, PRC-13, SPAN-5, SPAN-6, RISK-IM-2)."""
    done = check("--runs", "4", "--steps", "150", "--seed", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    kinds = reached(done.stdout)
    for expected in (
        "GrantCredit accepted",
        "GrantCredit rejected PARTITION_CAP",
        "Withdraw rejected INSUFFICIENT_CAPACITY",
        "Deliver accepted",
        "Deliver rejected ALREADY_DELIVERED",
        "Deliver rejected PRICE_UNAVAILABLE",
        "SetCap rejected CAP_BELOW_ALLOCATION",
        "PauseSpoke accepted",
        "Trade accepted",
        "Trade rejected INSUFFICIENT_MARGIN",
        "Liquidate accepted",
        "Inject ignored EXCEEDS_ALLOCATION",
        "Inject rejected FORGED_SENDER",
    ):
        assert kinds.get(expected, 0) > 0, f"the check never reached {expected}"
    assert sum(kinds.values()) > 700
    assert "300 value cases agreed" in done.stdout
    rules = decided(done.stdout)
    for rule in (
        "SPAN-6 spread charge",
        "SPAN-5 short option minimum binds",
        "PRC-13 expired option held",
        "PRC-14 settled at its expiry price",
        "PRC-12 an option's own volatility",
    ):
        assert rules.get(rule, 0) > 0, f"no value case reached {rule}"


def test_a_smaller_build_is_sent_only_its_chapters() -> None:
    """A build declaring hub, messaging and governance gets only their actions
    (adapter protocol v1: a case requires the chapters of its action kinds)."""
    done = check(
        "--impl",
        impl(BUILD / "src", "--chapters", "hub,messaging,governance"),
        "--runs",
        "3",
        "--steps",
        "100",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    kinds = {k.split()[0] for k in reached(done.stdout)}
    assert kinds <= {"Deposit", "Withdraw", "GrantCredit", "Deliver", "SetCap"} | {
        "PauseSpoke",
        "UnpauseSpoke",
        "PayOut",
    }
    assert {"Deposit", "GrantCredit", "Deliver", "SetCap"} <= kinds
    assert "skip story 'a trade loses, the claim waits out a pause'" in done.stdout


MUTANTS = {
    "HUB-GRANT-3: cap reached counts as passed": (
        "hub.js",
        "allocation(s, spoke) + amount > at(s.hub.caps, spoke)",
        "allocation(s, spoke) + amount > at(s.hub.caps, spoke) + 1n",
    ),
    "TRC-4: integers read through a float": (
        "json.js",
        "return BigInt(m[0]);",
        "return BigInt(Number(m[0]));",
    ),
    "MSG-10: replay check after the in-flight check": (
        "messaging.js",
        'if (s.network.delivered.has(id)) return rejected("ALREADY_DELIVERED");',
        "",
    ),
    "HUB-LOSS-2: seizure rounds for the holder": (
        "hub.js",
        "(remaining + P - 1n) / P",
        "remaining / P",
    ),
    "RISK-IM-2: a grant not judged at the initial requirement": (
        "hub.js",
        'if (view.capacity < view.initialRequirement) return rejected("INSUFFICIENT_CAPACITY"); '
        "// RISK-IM-2, once granted",
        "",
    ),
    "RISK-IM-2: a withdrawal not judged at the initial requirement": (
        "hub.js",
        'if (view.capacity < view.initialRequirement) return rejected("INSUFFICIENT_CAPACITY"); '
        "// RISK-IM-2, after it",
        "",
    ),
    "RISK-IM-1: capacity at the liquidation haircuts": (
        "risk.js",
        "a.ltv_haircut_bps ?? a.haircut_bps",
        "a.haircut_bps",
    ),
    "RISK-NET-2: no profit backed": (
        "risk.js",
        "backed += min(max(0n, pnl), poolValue(p, s, sp, px));",
        "backed += 0n;",
    ),
    "RISK-NET-2: profit backed beyond the pool": (
        "risk.js",
        "backed += min(max(0n, pnl), poolValue(p, s, sp, px));",
        "backed += max(0n, pnl);",
    ),
    "PRC-7: d1 rounded toward zero": (
        "pricing.js",
        "floorDiv((logMoneyness + halfVar) * ONE, volRootT)",
        "((logMoneyness + halfVar) * ONE) / volRootT",
    ),
    "PRC-12: an option's own volatility ignored": (
        "risk.js",
        "m.volatility_bps ?? at(p.asset, m.underlying).volatility_bps",
        "at(p.asset, m.underlying).volatility_bps",
    ),
    "PRC-13: an expired option still live": (
        "risk.js",
        "return m.expiry !== null && now < m.expiry;",
        "return m.expiry !== null;",
    ),
    "SPAN-2: volatility down rounds up": (
        "risk.js",
        "if (move < 0) return bpsDown(vol, BPS - V);",
        "if (move < 0) return bpsUp(vol, BPS - V);",
    ),
    "SPAN-5: no short option minimum in the scan": (
        "risk.js",
        "shortOptionMinimum(p, shortLots, at(px, asset))",
        "0n",
    ),
    "SPAN-6: no spread charge": (
        "risk.js",
        "return ceilDiv(min(longs, shorts) * P * p.portfolio.spread_charge_bps, BPS * ONE);",
        "return 0n;",
    ),
}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_check_catches_a_broken_build(name: str, tmp_path: Path) -> None:
    """A copy of the build's live source with one rule broken is caught with the first
    differing step (the mutant is made at test time, so it cannot rot)."""
    module, old, new = MUTANTS[name]
    src = tmp_path / "src"
    shutil.copytree(BUILD / "src", src)
    (tmp_path / "package.json").write_text((BUILD / "package.json").read_text())
    text = (src / module).read_text()
    assert text.count(old) == 1, f"mutant {name!r} no longer applies"
    (src / module).write_text(text.replace(old, new))
    probe = f"{NODE} {src / 'values.js'}"
    done = check("--impl", impl(src), "--probe", probe, "--runs", "4", "--steps", "150")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "DIFFERENCE" in done.stdout


def ask(*requests: str) -> list[dict[str, object]]:
    done = subprocess.run(
        [str(NODE), str(BUILD / "src" / "main.js")],
        input="".join(r + "\n" for r in requests),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_protocol_answers_every_line_and_keeps_integers_exact() -> None:
    """One answer per request line, also for garbage and unknown ops; an integer above
    2^53 goes in and comes out exact (TRC-4)."""
    params = (ROOT / "spec" / "examples" / "params.json").read_text().replace("\n", "")
    big = 10**18 - 50_000 - 1  # not representable as a float
    answers = ask(
        '{"op":"handshake","protocol":1}',
        '{"op":"handshake","protocol":2}',
        "garbage",
        '{"op":"step","action":{"type":"AdvanceTime","seconds":1}}',
        f'{{"op":"init","params":{params}}}',
        f'{{"op":"step","action":{{"type":"Deposit","account":"bob","asset":"USD","amount":{big}}}}}',
        '{"op":"step","action":{"type":"Deposit","account":"bob","asset":"USD","amount":1.5}}',
        '{"op":"fly"}',
        '{"op":"reset"}',
    )
    assert len(answers) == 9
    hello, newer, garbage, early, init, deposit, fraction, fly, reset = answers
    assert hello["ok"] is True and hello["protocol"] == 1
    chapters = hello["chapters"]
    assert isinstance(chapters, list)
    assert {"hub", "messaging", "governance"} <= set(chapters)
    assert newer["ok"] is False and "unsupported" in newer
    assert garbage["ok"] is False and "error" in garbage
    assert early["ok"] is False
    assert init["ok"] is True
    observation = deposit["observation"]
    assert isinstance(observation, dict)
    assert observation["hub"]["tokens"]["USD"] == big + 50_000
    assert observation["hub"]["collateral"]["bob"]["USD"] == big
    assert fraction["ok"] is False and "error" in fraction
    assert fly["ok"] is False and "unsupported" in fly
    assert reset == {"ok": True}
