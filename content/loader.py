"""Load procedure YAML files into `Procedure` objects, with errors that name the file, the step and the field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from content.schema import Procedure

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10× faster; kiosk start-up counts


class _ContentYamlLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML 1.2 booleans: only true/false. `yes`, `no`, `on`, `off` stay strings (choice ids are often yes/no)."""


_ContentYamlLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_ContentYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_yaml(text: str) -> Any:
    """Parse content YAML (safe, YAML 1.2 booleans)."""
    return yaml.load(text, Loader=_ContentYamlLoader)


PACKAGED = Path(__file__).resolve().parent
"""The content shipped with Yorisoi: procedures/ and pictures/ beside this module."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a content file, located precisely enough for a non-programmer to fix it."""

    code: str
    file: str
    where: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        place = f"{self.file}: {self.where}" if self.where else self.file
        return f"{self.severity.upper()} [{self.code}] {place}: {self.message}"


class ContentError(Exception):
    """A content file could not be loaded; `problems` lists every reason."""

    code = "content-invalid"

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Catalog:
    """Every procedure that loaded, plus the problems of those that did not (one broken file never hides the rest)."""

    procedures: dict[str, Procedure] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)

    def get(self, procedure_id: str) -> Procedure:
        """The procedure with this id (KeyError when absent)."""
        return self.procedures[procedure_id]


def _location(raw: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into words: `step 'open-app' → instruction → en`."""
    parts: list[str] = []
    node = raw
    i = 0
    while i < len(loc):
        key = loc[i]
        if key == "steps" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            index = loc[i + 1]
            step = node["steps"][index] if isinstance(node, dict) and index < len(node.get("steps", [])) else None
            step_id = step.get("id") if isinstance(step, dict) else None
            parts.append(f"step '{step_id}'" if step_id else f"step #{index + 1}")
            node = step
            i += 2
            continue
        parts.append(str(key))
        node = (
            node.get(key)
            if isinstance(node, dict)
            else (node[key] if isinstance(node, list) and isinstance(key, int) and key < len(node) else None)
        )
        i += 1
    return " → ".join(p for p in parts if p not in ("root",))


def load_procedure(path: Path) -> Procedure:
    """Parse and validate one procedure file; raise ContentError listing every problem found."""
    name = path.name
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContentError([Problem("file-unreadable", name, "", str(exc.strerror or exc))]) from exc
    except UnicodeDecodeError as exc:
        raise ContentError([Problem("not-utf8", name, "", "save the file as UTF-8")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise ContentError([Problem("yaml-syntax", name, where, f"YAML syntax error: {reason}")]) from exc
    if not isinstance(raw, dict):
        raise ContentError([Problem("not-a-procedure", name, "", "the file must be a mapping with id, title, steps")])
    try:
        procedure = Procedure.model_validate(raw)
    except ValidationError as exc:
        problems = [
            Problem("schema", name, _location(raw, tuple(err["loc"])), err["msg"].removeprefix("Value error, "))
            for err in exc.errors()
        ]
        raise ContentError(problems) from exc
    if path.stem != procedure.id:
        raise ContentError([Problem("file-name", name, "id", f"file name must be '{procedure.id}.yaml'")])
    return procedure


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load every `*.yaml` under a procedures directory (the packaged one by default)."""
    directory = directory or PACKAGED / "procedures"
    catalog = Catalog()
    if not directory.is_dir():
        catalog.problems.append(Problem("no-directory", str(directory), "", "no such content directory"))
        return catalog
    for path in sorted(directory.glob("*.yaml")):
        try:
            procedure = load_procedure(path)
        except ContentError as exc:
            catalog.problems.extend(exc.problems)
            continue
        if procedure.id in catalog.procedures:
            catalog.problems.append(Problem("duplicate-id", path.name, "id", f"'{procedure.id}' is used twice"))
            continue
        catalog.procedures[procedure.id] = procedure
        catalog.files[procedure.id] = path
    return catalog


def picture_path(name: str, base: Path | None = None) -> Path:
    """Where a picture named in content lives on disk."""
    return (base or PACKAGED / "pictures") / name
