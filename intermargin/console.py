"""Where the CLI prints: the terminal at its own width, or 120 plain columns in a pipe or a
CI log, so that output read by programs and people off a terminal is stable."""

from rich.console import Console


def stdout_console() -> Console:
    """A console for standard output (no automatic highlighting of numbers and ids)."""
    probe = Console(highlight=False)
    return probe if probe.is_terminal else Console(highlight=False, width=120)
