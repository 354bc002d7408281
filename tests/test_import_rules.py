"""The one-way dependency rules of ARCHITECTURE.md, enforced by parsing every import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("content", "voice", "helpdesk", "kiosk", "yorisoi")


def imports_of(path: Path) -> set[str]:
    """Top-level-qualified module names imported anywhere in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def project_imports(path: Path) -> set[str]:
    return {name for name in imports_of(path) if name.split(".")[0] in PROJECT}


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["content", "voice"])
def test_leaf_packages_import_nothing_of_the_project(package: str) -> None:
    for path in files(package):
        foreign = {m for m in project_imports(path) if m.split(".")[0] != package}
        assert not foreign, f"{path.relative_to(ROOT)} imports {foreign}"


def test_helpdesk_never_imports_kiosk_or_voice() -> None:
    for path in files("helpdesk"):
        bad = {m for m in project_imports(path) if m.split(".")[0] in ("kiosk", "voice")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_wire_contract_imports_only_pydantic_and_stdlib() -> None:
    wire = ROOT / "helpdesk" / "wire.py"
    if not wire.exists():
        pytest.skip("helpdesk/wire.py not written yet")
    allowed_third_party = {"pydantic", "annotated_types"}
    import sys

    for name in imports_of(wire):
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or top in allowed_third_party or name == "__future__", name


def test_guide_engine_is_pure() -> None:
    engine_files = [p for p in files("kiosk") if p.parent.name == "guide" or p.stem == "guide"]
    if not engine_files:
        pytest.skip("kiosk.guide not written yet")
    import sys

    for path in engine_files:
        for name in imports_of(path):
            top = name.split(".")[0]
            ok = top in sys.stdlib_module_names or top == "content" or name.startswith("kiosk.guide")
            ok = ok and top not in {"time", "random", "socket", "threading", "asyncio", "os"}
            assert ok or name == "__future__", f"{path.relative_to(ROOT)} imports {name}"


# The application shell: the modules that build and start the Kivy app (nothing else may reach for kiosk.ui).
ENTRY_POINTS = {"kiosk/app.py", "kiosk/assembly.py", "kiosk/cli.py", "yorisoi/demo.py", "yorisoi/demo_walk.py"}


def test_nothing_imports_kiosk_ui() -> None:
    for package in PROJECT:
        for path in files(package):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith("kiosk/ui/") or relative in ENTRY_POINTS:
                continue
            bad = {m for m in project_imports(path) if m.startswith("kiosk.ui")}
            assert not bad, f"{relative} imports {bad}"
