"""Requirement traceability: the ids the chapters define, and where code cites them.

A requirement is a Markdown list item of a chapter in `spec/` that starts with its id in
bold and an em dash (`- **HUB-GRANT-2** — The hub rejects ...`); its text runs on over
the indented lines that follow (blank lines included) up to the next unindented line.
Code cites ids in docstrings and comments; a range (`HUB-GRANT-1..4`, `LIQ-1..LIQ-7`)
cites every id in it.  This module reads files, which is fine in `spec/` (never in
`model/`).
"""

import ast
import io
import re
import tokenize
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parent
ROOT = SPEC_DIR.parent

ID_PATTERN = r"[A-Z]{2,}(?:-[A-Z]+)*-\d+"
ID_RE = re.compile(rf"\b{ID_PATTERN}\b")
COMMENTED_ID_RE = re.compile(rf"#[^\n]*?{ID_PATTERN}")
"""A `#` with an id after it on its line: what any comment citing an id (or a range) has."""
DEFINITION_RE = re.compile(rf"^- \*\*({ID_PATTERN})\*\* — (.*)$")
RANGE_RE = re.compile(
    r"\b(?P<first>(?P<family>[A-Z]{2,}(?:-[A-Z]+)*)-(?P<lo>\d+))\.\.(?:(?P=family)-)?(?P<hi>\d+)\b"
)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One numbered requirement: its id, the chapter (file stem) that defines it, the line
    of its definition, and its text (the list item, continuation lines joined)."""

    id: str
    chapter: str
    text: str
    line: int = 0


def chapters(directory: Path = SPEC_DIR) -> list[Path]:
    """The Markdown chapters of the specification, sorted by name."""
    return sorted(directory.glob("*.md"))


def parse_chapter(path: Path) -> Iterator[Requirement]:
    """The requirements a chapter defines, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    in_fence = False
    for n, line in enumerate(lines):
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        match = None if in_fence else DEFINITION_RE.match(line)
        if match is None:
            continue
        text = [match.group(2).strip()]
        for more in lines[n + 1 :]:
            if more.strip() and not more.startswith(" "):
                break
            if more.strip():
                text.append(more.strip())
        yield Requirement(id=match.group(1), chapter=path.stem, text=" ".join(text), line=n + 1)


def definitions(directory: Path = SPEC_DIR) -> list[Requirement]:
    """Every requirement definition in every chapter, duplicates included."""
    return [r for path in chapters(directory) for r in parse_chapter(path)]


def requirements(directory: Path = SPEC_DIR) -> dict[str, Requirement]:
    """Every requirement by id.  An id defined twice is an error naming both places."""
    found: dict[str, Requirement] = {}
    for r in definitions(directory):
        if r.id in found:
            first = found[r.id]
            raise ValueError(
                f"{r.id} defined twice: {first.chapter}.md:{first.line} and {r.chapter}.md:{r.line}"
            )
        found[r.id] = r
    return found


def family(requirement_id: str) -> str:
    """`HUB-GRANT-2` -> `HUB-GRANT`."""
    return requirement_id.rsplit("-", 1)[0]


def ids_in(text: str) -> list[tuple[int, str]]:
    """The ids cited in a piece of text, as (offset, id), ranges expanded, in order."""
    found: list[tuple[int, str]] = []
    covered: list[tuple[int, int]] = []
    for m in RANGE_RE.finditer(text):
        lo, hi = int(m.group("lo")), int(m.group("hi"))
        if lo <= hi:
            found.extend((m.start(), f"{m.group('family')}-{n}") for n in range(lo, hi + 1))
            covered.append((m.start(), m.end()))
    for m in ID_RE.finditer(text):
        if not any(start <= m.start() < end for start, end in covered):
            found.append((m.start(), m.group(0)))
    return sorted(found)


def citation_spans(source: str, tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(first line, text) of every comment and docstring in Python source (`tree`: its syntax
    tree).

    A docstring is any statement that is a bare string: module, class and function
    docstrings and the attribute docstrings that follow an assignment.  Other string
    literals (data, such as a market id that looks like an id) are not citations.
    """
    lines = source.splitlines()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            end = node.end_lineno or node.lineno
            yield node.lineno, "\n".join(lines[node.lineno - 1 : end])
    if not COMMENTED_ID_RE.search(source):
        return  # no comment can cite an id: skip the tokenizer, the slow part
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string


@dataclass(frozen=True)
class Parsed:
    """A Python file read and parsed once: the ids it cites, with the line of each citation,
    and its definitions (first line, last line, qualified name)."""

    citations: tuple[tuple[int, str], ...]
    definitions: tuple[tuple[int, int, str], ...]


def parsed(path: Path) -> Parsed:
    """The file's citations and definitions, parsed once per version of the file (the
    traceability check reads every file for several roles)."""
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@cache
def _parsed(path: Path, mtime_ns: int, size: int) -> Parsed:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    citations = [
        (first_line + text.count("\n", 0, offset), rid)
        for first_line, text in citation_spans(source, tree)
        for offset, rid in ids_in(text)
    ]
    return Parsed(tuple(citations), definitions_of(tree))


def python_files(paths: Iterable[Path | str]) -> list[Path]:
    """The Python files named, or found below the folders named, sorted."""
    files: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            files.update(f for f in p.rglob("*.py") if "__pycache__" not in f.parts)
        elif p.suffix == ".py" and p.exists():
            files.add(p)
    return sorted(files)


def display(path: Path) -> str:
    """A path relative to the repository root when it lies inside it."""
    if path.is_absolute() and path.is_relative_to(ROOT):
        return str(path.relative_to(ROOT))
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def cited_ids(
    paths: Iterable[Path | str], families: Collection[str] | None = None
) -> dict[str, list[str]]:
    """Every id cited in the docstrings and comments of the Python files under `paths`,
    with the places (`file:line`) that cite it, ids sorted.

    With `families`, only ids of those families (`family(id)`) count: a caller that
    knows the chapters' families can drop look-alikes such as market ids.
    """
    cited: dict[str, list[str]] = {}
    for path in python_files(paths):
        shown = display(path)
        for line, rid in parsed(path).citations:
            if families is not None and family(rid) not in families:
                continue
            place = f"{shown}:{line}"
            places = cited.setdefault(rid, [])
            if place not in places:
                places.append(place)
    return dict(sorted(cited.items()))


def definitions_in(path: Path) -> tuple[tuple[int, int, str], ...]:
    """(first line, last line, qualified name) of every function and class in a file."""
    return parsed(path).definitions


def definitions_of(tree: ast.Module) -> tuple[tuple[int, int, str], ...]:
    """(first line, last line, qualified name) of every function and class in a syntax tree."""
    found: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                found.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, f"{name}.")

    visit(tree, "")
    return tuple(found)


def module_of(file: str) -> str:
    """`model/hub.py` -> `model.hub`; `model/__init__.py` -> `model`."""
    return file.removesuffix(".py").replace("/", ".").removesuffix(".__init__")


def name_of(place: str) -> str:
    """`model/hub.py:57` -> `model.hub.grant_credit`: the innermost definition around a
    citation, or the module when it is cited at module level."""
    file, line = place.rsplit(":", 1)
    inner = [
        (first, name)
        for first, last, name in definitions_in(ROOT / file)
        if first <= int(line) <= last
    ]
    return f"{module_of(file)}.{max(inner)[1]}" if inner else module_of(file)


def citing_definitions(paths: Iterable[Path | str]) -> dict[str, tuple[str, ...]]:
    """For every id cited under `paths`, the distinct definitions (or modules) citing it."""
    return {
        rid: tuple(dict.fromkeys(name_of(p) for p in ps)) for rid, ps in cited_ids(paths).items()
    }
