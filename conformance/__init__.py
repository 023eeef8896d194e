"""The conformance kit: test vectors, the adapter protocol, and a harness for other builds.

A build of the margin system in any language is a command speaking the adapter protocol
(spec/conformance.md, CONF-1..CONF-7) on stdin/stdout.  `conformance.adapter` serves the
reference model over it; `conformance.vectors` writes and checks the versioned test
vectors; `conformance.harness` runs a build against them and then in lockstep with the
reference under a Hypothesis campaign, shrinking any divergence to a minimal case.

Dependencies point one way: this package imports `spec`, `model` and the pure data of
`intermargin.scenarios` and `intermargin.fuzzing.strategies`; none of those import it.
"""
