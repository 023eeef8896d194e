"""Errors a user can cause: reported in one line with exit code 2, never a traceback."""

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: an unknown name, a missing or malformed file."""


def first_error(error: ValidationError) -> str:
    """The first pydantic error as `where: what`, on one line."""
    item = error.errors()[0]
    where = ".".join(str(p) for p in item["loc"]) or "(top level)"
    return f"{where}: {item['msg']}"


def load_model(path: str, model: type[M]) -> M:
    """Read a JSON file into a pydantic model, or raise a one-line UsageError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not JSON: not UTF-8 text") from None
    try:
        return model.model_validate_json(text)
    except ValidationError as e:
        if e.errors()[0]["type"] == "json_invalid":
            try:
                json.loads(text)
            except json.JSONDecodeError as j:
                raise UsageError(f"{path}: not JSON: {j.msg} at line {j.lineno}") from None
        raise UsageError(f"{path}: invalid {model.__name__}: {first_error(e)}") from None
