"""DIFF-MIRROR-1: the model's and the encoding's guards: same error codes, same order."""

from proofs.mirror import (
    mirrored_functions,
    mismatches,
    project_sources,
)

MODEL_GRANT = """
def grant_credit(state, action):
    if account_liquidating(state):
        return reject(state, Error.ACCOUNT_LIQUIDATING)
    if paused(state):
        return reject(state, Error.SPOKE_PAUSED)
    return accept(state)
"""

ENCODED_GRANT = """
def grant_credit(ctx, pre, act, inp):
    rules = Rules(pre)
    rules.reject_if(pre.liquidating[a], Error.ACCOUNT_LIQUIDATING)
    rules.reject_if(pre.paused[s], Error.SPOKE_PAUSED)
    return rules.accept(pre)
"""


def test_model_and_encoding_guards_mirror_each_other() -> None:
    """DIFF-MIRROR-1: on the project as it is, every transition's guards agree."""
    model, encoding = project_sources()
    assert [str(m) for m in mismatches(model, encoding)] == []


def test_the_check_compares_every_guarded_transition() -> None:
    """DIFF-MIRROR-1: the check reaches the transitions (not an empty comparison): every action
    kind and every hub/spoke message handler has guards on both sides."""
    compared = mirrored_functions()
    for name in (
        "deposit",
        "withdraw",
        "grant_credit",
        "trade",
        "release_credit",
        "liquidate",
        "set_cap",
        "deliver",
        "inject",
        "receive_loss_claim",
        "receive_liquidation_report",
        "receive_margin_call",
    ):
        assert name in compared, name
    assert sum(len(g) for g in compared.values()) >= 30


def test_a_reordered_guard_is_named() -> None:
    """DIFF-MIRROR-1: swapping two guards of the model (a deliberate reorder) is reported with the
    transition and the first guard that differs."""
    assert mismatches([MODEL_GRANT], [ENCODED_GRANT]) == []
    lines = MODEL_GRANT.splitlines()
    i = next(k for k, line in enumerate(lines) if "account_liquidating" in line)
    j = next(k for k, line in enumerate(lines) if "paused(state)" in line)
    lines[i : i + 2], lines[j : j + 2] = lines[j : j + 2], lines[i : i + 2]
    found = mismatches(["\n".join(lines)], [ENCODED_GRANT])
    assert [str(m) for m in found] == [
        "DIFF-MIRROR-1 grant_credit: guard 1 is reject SPOKE_PAUSED in the model but "
        "reject ACCOUNT_LIQUIDATING in the encoding"
    ]


def test_a_reordered_guard_in_the_real_model_is_caught() -> None:
    """DIFF-MIRROR-1: the same on the project's own source: reorder the first two guards of
    model/hub.py's withdraw and the check fails on `withdraw`."""
    model, encoding = project_sources()
    hub = next(s for s in model if "def withdraw(" in s)
    start = hub.index("def withdraw(")
    liq = hub.index("        return reject(state, Error.ACCOUNT_LIQUIDATING)", start)
    bal = hub.index("        return reject(state, Error.INSUFFICIENT_BALANCE)", start)
    swapped = (
        hub[:liq]
        + "        return reject(state, Error.INSUFFICIENT_BALANCE)"
        + hub[liq + len("        return reject(state, Error.ACCOUNT_LIQUIDATING)") : bal]
        + "        return reject(state, Error.ACCOUNT_LIQUIDATING)"
        + hub[bal + len("        return reject(state, Error.INSUFFICIENT_BALANCE)") :]
    )
    patched = [swapped if s is hub else s for s in model]
    assert [m.function for m in mismatches(patched, encoding)] == ["withdraw"]


def dropped_from_the_encoding(function: str, error: str) -> list[tuple[str, object, object]]:
    """The mismatches found once the encoding's guard `error` of `function` is deleted."""
    model, encoding = project_sources()
    module = next(s for s in encoding if f"def {function}(" in s)
    line = next(x for x in module.splitlines() if f"Error.{error}" in x)
    patched = [s.replace(line + "\n", "") if s is module else s for s in encoding]
    return [(m.function, m.model, m.encoding) for m in mismatches(model, patched)]


def test_a_guard_dropped_from_the_encoding_is_caught() -> None:
    """DIFF-MIRROR-1: a guard the encoding loses (here the partition cap) is a mismatch."""
    assert dropped_from_the_encoding("grant_credit", "PARTITION_CAP") == [
        ("grant_credit", ("reject", "PARTITION_CAP"), None)
    ]


def test_a_guarded_function_missing_on_one_side_is_caught() -> None:
    """DIFF-MIRROR-1: with no list of exceptions, a model guard with no counterpart in the
    encoding (here `receive`'s UNKNOWN_ACCOUNT, once the encoding's constant guard is
    dropped) is a mismatch."""
    assert dropped_from_the_encoding("receive", "UNKNOWN_ACCOUNT") == [
        ("receive", ("ignore", "UNKNOWN_ACCOUNT"), None)
    ]
