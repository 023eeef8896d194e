"""The fast grounding the drift checks use (`proofs.grounding`) decides exactly what the
plain substitution and field-by-field comparison decide (DIFF-1, DIFF-3, VER-RUN-1)."""

from dataclasses import replace

import z3

from intermargin.fuzzing.differential import stratified_corpus
from intermargin.fuzzing.profiles import CI, profile
from proofs.concrete import judge
from proofs.grounding import ground, last_seen, layout, same_application
from proofs.state import Universe, fresh
from spec.examples import example_params


def test_ground_is_the_substitution_of_every_variable_by_its_value() -> None:
    """DIFF-3: one packed substitution gives the term `z3.substitute` gives."""
    sym = fresh(Universe.of(example_params()), "g")
    where = layout(sym)
    vals = [
        z3.IntVal(i) if z3.is_int(v) else z3.BoolVal(i % 2 == 0)
        for i, v in enumerate(where.variables)
        if not z3.is_array(v)
    ]
    scalar = [v for v in where.variables if not z3.is_array(v)]
    arrays = [v for v in where.variables if z3.is_array(v)]
    empty = z3.K(z3.IntSort(), z3.BoolVal(False))
    term = z3.And(scalar[0] + scalar[1] > 3, z3.Select(arrays[0], scalar[0]))
    ordered = []
    it = iter(vals)
    for v in where.variables:
        ordered.append(empty if z3.is_array(v) else next(it))
    expected = z3.substitute(term, *zip(where.variables, ordered, strict=True))
    assert z3.eq(ground(term, where, ordered), expected)
    assert z3.is_false(z3.simplify(ground(term, where, ordered)))


def test_same_application_tells_equal_from_different_arguments() -> None:
    """DIFF-1: the one-comparison check says equal only when every argument is equal."""
    f = z3.Function("f", z3.IntSort(), z3.IntSort(), z3.BoolSort(), z3.BoolSort())
    term = z3.simplify(f(z3.IntVal(1) + 1, z3.IntVal(3), z3.BoolVal(True)))
    head = [term.arg(0)]
    assert same_application(term, head, [z3.IntVal(3), z3.BoolVal(True)])
    assert not same_application(term, head, [z3.IntVal(4), z3.BoolVal(True)])
    assert not same_application(term, head, [z3.IntVal(3), z3.BoolVal(False)])
    assert not same_application(term, head, [z3.IntVal(3)])


def test_last_seen_remembers_by_identity_only() -> None:
    calls: list[object] = []

    @last_seen(2)
    def tag(x: list[int]) -> int:
        calls.append(x)
        return len(calls)

    a, b, c = [1], [1], [2]
    assert tag(a) == 1 and tag(a) == 1
    assert tag(b) == 2  # equal but not the same object: computed again
    tag(c)
    assert tag(a) == 4  # forgotten after two others
    assert len(calls) == 4


def test_a_wrong_post_state_is_still_caught_on_the_fast_path() -> None:
    """DIFF-1: on accepted corpus steps, the judge accepts the model's post-state and
    names the field when one value of it is changed."""
    corpus = stratified_corpus(profile(CI).__class__(profile(CI), max_examples=20))
    checked = 0
    for pre, action, post, outcome in corpus.steps:
        if outcome.status != "accepted" or action.type != "Deposit":
            continue
        verdict = judge(pre, action, post)
        assert verdict.accepts and verdict.mismatched == ()
        hub = replace(post.hub, insurance={k: v + 1 for k, v in post.hub.insurance.items()})
        wrong = judge(pre, action, replace(post, hub=hub))
        assert not wrong.accepts
        assert any(m.startswith("insurance") for m in wrong.mismatched), wrong.mismatched
        checked += 1
    assert checked >= 3, f"only {checked} accepted deposits judged"
