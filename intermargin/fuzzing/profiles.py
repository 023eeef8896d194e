"""Hypothesis settings profiles for the machine: `ci`, `campaign` and `mutant`.

`ci` is derandomized and bounded so the state-machine tests take about a minute
on two shared cores and print a reproduction blob on failure; `campaign` is
random and long, for `intermargin fuzz`; `mutant` is a small derandomized budget,
without shrinking, that must still catch every deliberately broken model
(tests/test_mutants.py).
No profile uses the example database: a run is reproduced by its seed or blob.
"""

from hypothesis import HealthCheck, Phase, Verbosity, settings

CI = "ci"
CAMPAIGN = "campaign"
MUTANT = "mutant"

CI_EXAMPLES = 600
STEPS_PER_EXAMPLE = 100

_QUIET_CHECKS = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]

settings.register_profile(
    CI,
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=CI_EXAMPLES,
    stateful_step_count=STEPS_PER_EXAMPLE,
    print_blob=True,
    suppress_health_check=_QUIET_CHECKS,
)
settings.register_profile(
    CAMPAIGN,
    derandomize=False,
    deadline=None,
    database=None,
    max_examples=1_000,
    stateful_step_count=100,
    print_blob=True,
    verbosity=Verbosity.quiet,
    suppress_health_check=_QUIET_CHECKS,
)
settings.register_profile(
    MUTANT,
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=100,
    stateful_step_count=STEPS_PER_EXAMPLE,
    phases=(Phase.explicit, Phase.generate),
    print_blob=True,
    verbosity=Verbosity.quiet,
    suppress_health_check=_QUIET_CHECKS,
)


def profile(name: str) -> settings:
    """A registered profile by name."""
    return settings.get_profile(name)
