"""Errors a user can cause: reported in one line with exit code 2, never a traceback.

Inputs are bounded before they are parsed (CLI-8): a file above `MAX_INPUT_BYTES` is
refused unread, and JSON nested deeper than the parser's limit is a one-line error.
Outputs are checked before a run starts (CLI-7): `output_file` and `output_dir` refuse a
path that could not be written, so that a long run never ends in a lost result.
"""

import os
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

MAX_INPUT_BYTES = 64 * 2**20
"""CLI-8: the largest file the CLI reads (64 MiB: a trace of several hundred thousand
steps).  The parser holds the whole document, so its memory is bounded by this."""

MAX_SHOWN_CHARS = 300
"""CLI-8: the most characters of any one string from an input that the CLI prints."""


class UsageError(Exception):
    """Bad input from the user: an unknown name, a missing or malformed file."""


def clip(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """CLI-8: `text` on one line, cut to `limit` characters with a note of how many more."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return f"{flat[:limit]}... ({len(flat) - limit} more characters)"


def first_error(error: ValidationError) -> str:
    """The first pydantic error as `where: what`, on one line."""
    item = error.errors()[0]
    where = ".".join(str(p) for p in item["loc"]) or "(top level)"
    return f"{where}: {item['msg']}"


def read_input(path: str) -> str:
    """CLI-8: the text of a file the user named, if it is readable text (utf-8) within the
    size bound; else a one-line UsageError."""
    if Path(path).exists() and not Path(path).is_file():  # a directory, a FIFO, a device
        raise UsageError(f"cannot read {path}: not a regular file")
    too_big = f"{path}: larger than the {MAX_INPUT_BYTES // 2**20} MiB input bound"
    try:
        if Path(path).stat().st_size > MAX_INPUT_BYTES:
            raise UsageError(too_big)
        with open(path, "rb") as f:
            data = f.read(MAX_INPUT_BYTES + 1)
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or 'I/O error'}") from None
    if len(data) > MAX_INPUT_BYTES:  # a file that grew, or whose size the system misstates
        raise UsageError(too_big)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not JSON: not UTF-8 text") from None


def load_model(path: str, model: type[M]) -> M:
    """Read a JSON file into a pydantic model, or raise a one-line UsageError (CLI-2, CLI-8)."""
    text = read_input(path)
    try:
        return model.model_validate_json(text)
    except ValidationError as e:
        item = e.errors()[0]
        if item["type"] == "json_invalid":
            reason = str(item["msg"]).removeprefix("Invalid JSON: ")
            if "recursion limit" in reason:
                reason = reason.replace("recursion limit exceeded", "nested too deeply")
            raise UsageError(f"{path}: not JSON: {reason}") from None
        raise UsageError(f"{path}: invalid {model.__name__}: {clip(first_error(e))}") from None


def output_file(path: str | None, option: str) -> None:
    """CLI-7: `path` (if given) can be written as a file: not a directory, its parent a
    writable directory.  Checked before a run starts."""
    if path is None:
        return
    target = Path(path)
    parent = target.resolve().parent
    if target.is_dir():
        raise UsageError(f"{option} {path}: is a directory, not a file")
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: no directory {parent}")
    if not os.access(parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"{option} {path}: not writable")


def output_dir(path: str | None, option: str) -> None:
    """CLI-7: `path` (if given) is a writable directory or can be created as one."""
    if path is None:
        return
    target = Path(path).resolve()
    existing = target
    while not existing.exists():
        existing = existing.parent
    if existing != target and not existing.is_dir():
        raise UsageError(f"{option} {path}: {existing} is a file, not a directory")
    if existing == target and not target.is_dir():
        raise UsageError(f"{option} {path}: is a file, not a directory")
    if not os.access(existing, os.W_OK):
        raise UsageError(f"{option} {path}: not writable")
