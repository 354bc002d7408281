"""The rooms of docs/ARCHITECTURE.md and what each may import, enforced by parsing every import.

`ROOMS` names each room by its module prefixes (a module belongs to the room of its longest matching prefix);
`MAY_IMPORT` is the allow-list: a room may import its own modules and the rooms listed, nothing else of the project.
The table itself must have no circle, and every project module must belong to a room.
"""

from __future__ import annotations

import ast
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("yorisoi", "content", "voice", "helpdesk", "kiosk")

ROOMS: dict[str, tuple[str, ...]] = {
    "vocabulary": ("yorisoi.vocabulary",),
    "cli": ("yorisoi",),
    "content": ("content",),
    "voice": ("voice",),
    "wire": ("helpdesk.wire",),
    "helpdesk.base": ("helpdesk",),
    "helpdesk.bus": ("helpdesk.bus",),
    "helpdesk.store": ("helpdesk.store",),
    "helpdesk.api": ("helpdesk.api",),
    "helpdesk.console": ("helpdesk.console",),
    "helpdesk.screens": ("helpdesk.console.screens",),
    "helpdesk.content": ("helpdesk.content_store",),
    "helpdesk.content.web": ("helpdesk.content_store.routes", "helpdesk.content_store.editor_routes"),
    "helpdesk.analytics": ("helpdesk.analytics",),
    "helpdesk.shell": ("helpdesk.api.app", "helpdesk.cli", "helpdesk.embedded"),
    "kiosk.base": ("kiosk",),
    "kiosk.guide": ("kiosk.guide",),
    "kiosk.link": ("kiosk.link",),
    "kiosk.call": ("kiosk.call",),
    "kiosk.updater": ("kiosk.updater",),
    "kiosk.ui": ("kiosk.ui",),
    "kiosk.runtime": ("kiosk.runtime", "kiosk.speak_ahead"),
    "kiosk.card": ("kiosk.card",),
    "kiosk.workshop": ("kiosk.workshop",),
    "kiosk.shell": ("kiosk.app", "kiosk.assembly", "kiosk.cli"),
}

HELPDESK_ROOMS = {room for room in ROOMS if room.startswith("helpdesk.")}
KIOSK_ROOMS = {room for room in ROOMS if room.startswith("kiosk.")}
MAY_IMPORT: dict[str, set[str]] = {
    "vocabulary": set(),
    "content": {"vocabulary"},
    "voice": set(),
    "wire": {"vocabulary"},
    "helpdesk.base": {"wire", "vocabulary"},
    "helpdesk.bus": {"helpdesk.base"},
    "helpdesk.store": {"helpdesk.base", "helpdesk.bus", "wire", "vocabulary", "content"},
    "helpdesk.screens": {"wire", "vocabulary", "content"},
    "helpdesk.content": {"helpdesk.base", "helpdesk.store", "helpdesk.screens", "wire", "vocabulary", "content"},
    "helpdesk.api": {"helpdesk.base", "helpdesk.bus", "helpdesk.store", "helpdesk.content", "wire", "vocabulary"},
    "helpdesk.content.web": {"helpdesk.base", "helpdesk.api", "helpdesk.content", "wire", "vocabulary", "content"},
    "helpdesk.console": {
        "helpdesk.base",
        "helpdesk.bus",
        "helpdesk.store",
        "helpdesk.api",
        "helpdesk.screens",
        "helpdesk.content",
        "helpdesk.content.web",
        "wire",
        "vocabulary",
        "content",
    },
    "helpdesk.analytics": {
        "helpdesk.base",
        "helpdesk.store",
        "helpdesk.api",
        "helpdesk.screens",
        "helpdesk.content",
        "wire",
        "vocabulary",
        "content",
    },
    "helpdesk.shell": (HELPDESK_ROOMS - {"helpdesk.shell"}) | {"wire", "vocabulary", "content"},
    "kiosk.guide": {"content", "vocabulary"},
    "kiosk.link": {"kiosk.guide", "wire", "vocabulary"},
    "kiosk.call": {"kiosk.guide", "wire", "vocabulary"},
    "kiosk.updater": {"kiosk.guide", "kiosk.link", "wire", "vocabulary", "content"},
    "kiosk.ui": {"kiosk.guide", "content", "vocabulary"},
    "kiosk.base": {"kiosk.guide", "content", "vocabulary"},
    "kiosk.runtime": {"kiosk.guide", "kiosk.link", "kiosk.call", "kiosk.card", "voice", "vocabulary"},
    "kiosk.card": set(),
    "kiosk.workshop": {"kiosk.base", "kiosk.guide", "kiosk.ui", "content", "voice", "wire", "vocabulary"},
    "kiosk.shell": (KIOSK_ROOMS - {"kiosk.shell"}) | {"content", "voice", "wire", "vocabulary"},
    "cli": set(ROOMS) - {"cli"},
}
"""Room → the rooms it may import. The kiosk reaches the helpdesk only through the wire contract; the helpdesk never
imports the kiosk or voice; only the kiosk's shell, its workshop and the CLI touch Kivy screens (kiosk.ui)."""

PURE_GUIDE_FORBIDDEN = {"time", "random", "socket", "threading", "asyncio", "os", "subprocess", "sqlite3"}


def module_name(path: Path) -> str:
    """`kiosk/guide/engine.py` → `kiosk.guide.engine` (a package's __init__ is the package)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def room_of(module: str) -> str | None:
    """The room of the longest prefix that matches `module`."""
    best: tuple[int, str] | None = None
    for room, prefixes in ROOMS.items():
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), room)
    return best[1] if best else None


def imports_of(path: Path) -> set[str]:
    """Every module named by an import in the file (`from a.b import c` names `a.b` and, maybe a module, `a.b.c`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def project_files() -> list[Path]:
    """Every Python file of the distribution's packages."""
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_the_table_covers_every_room_and_has_no_circle() -> None:
    assert set(MAY_IMPORT) == set(ROOMS)
    for room, allowed in MAY_IMPORT.items():
        assert allowed <= set(ROOMS), f"{room} may import unknown rooms {allowed - set(ROOMS)}"
        assert room not in allowed
    try:
        tuple(TopologicalSorter(MAY_IMPORT).static_order())
    except CycleError as exc:  # pragma: no cover - the message is the point
        raise AssertionError(f"the allow-list has a circle: {exc.args[1]}") from None


def test_every_module_belongs_to_a_room() -> None:
    files = project_files()
    assert len(files) > 100, "the packages were not found"
    homeless = [module_name(p) for p in files if room_of(module_name(p)) is None]
    assert not homeless


def test_every_import_stays_within_what_its_room_may_import() -> None:
    broken: list[str] = []
    for path in project_files():
        room = room_of(module_name(path))
        assert room is not None
        for name in imports_of(path):
            if name.split(".")[0] not in PACKAGES:
                continue
            target = room_of(name)
            if target is not None and target != room and target not in MAY_IMPORT[room]:
                broken.append(f"{path.relative_to(ROOT)} ({room}) imports {name} ({target})")
    assert not broken, "imports against the rules of docs/ARCHITECTURE.md:\n" + "\n".join(broken)


def _third_party(path: Path) -> set[str]:
    return {
        name.split(".")[0]
        for name in imports_of(path)
        if name.split(".")[0] not in PACKAGES and name.split(".")[0] not in sys.stdlib_module_names
    } - {"__future__"}


def test_the_wire_contract_needs_only_pydantic_and_the_vocabulary_only_the_standard_library() -> None:
    assert _third_party(ROOT / "helpdesk" / "wire.py") <= {"pydantic", "annotated_types"}
    assert _third_party(ROOT / "yorisoi" / "vocabulary.py") == set()


def test_the_guide_engine_is_pure() -> None:
    engine = sorted((ROOT / "kiosk" / "guide").rglob("*.py"))
    assert len(engine) >= 5, "kiosk/guide was not found"
    for path in engine:
        assert not _third_party(path), f"{path.relative_to(ROOT)} imports a third-party library"
        clocks_or_io = {n.split(".")[0] for n in imports_of(path)} & PURE_GUIDE_FORBIDDEN
        assert not clocks_or_io, f"{path.relative_to(ROOT)} imports {clocks_or_io}: the engine has no clock and no I/O"


def test_a_rule_breach_is_caught() -> None:
    """The checker itself: the kiosk's guide importing the helpdesk's store is reported."""
    assert room_of("kiosk.guide.engine") == "kiosk.guide"
    assert room_of("helpdesk.api.app") == "helpdesk.shell" and room_of("helpdesk.api.queue") == "helpdesk.api"
    assert "helpdesk.store" not in MAY_IMPORT["kiosk.guide"]
    assert "kiosk.ui" not in MAY_IMPORT["kiosk.runtime"]
    assert not (MAY_IMPORT["helpdesk.base"] | MAY_IMPORT["helpdesk.api"]) & KIOSK_ROOMS
