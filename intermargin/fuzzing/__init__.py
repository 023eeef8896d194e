"""Fuzzing the reference model: Hypothesis state machines with honest and adversarial steps.

`machine` drives `model.step` with every action and every network or adversary
move and checks every invariant after every step; `coverage` says what the runs
reached; `profiles` holds the `ci` and `campaign` settings; `campaign` runs a
long random search for `intermargin fuzz`; `traces` saves a failing run as a
replayable trace; `mutants` are deliberately broken models the machine must catch.
"""
