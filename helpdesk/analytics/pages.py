"""HTML for trainers: Jinja2 templates, served (stylesheet and pictures by URL) or standalone (for files and PDF)."""

from __future__ import annotations

import base64
import datetime as dt
import functools
from pathlib import Path
from typing import Any

from content.loader import picture_path
from helpdesk.analytics import charts, labels

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
STATIC_URL = "/trainer/static"
PICTURE_URL = "/trainer/pictures"


@functools.cache
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["charts"] = charts
    env.globals.update(labels.globals_for_templates())
    env.filters["pct"] = lambda v: "—" if v is None else f"{v:.0%}"
    env.filters["secs"] = lambda v: "—" if v is None else f"{v:.0f}秒"
    return env


def render(
    template: str, *, standalone: bool = False, stylesheets: tuple[str, ...] = ("analytics.css",), **context: Any
) -> str:
    """Render a page; standalone pages carry their CSS and pictures inside (no server needed to open them)."""
    env = _environment()
    css = "\n".join((STATIC / name).read_text(encoding="utf-8") for name in stylesheets) if standalone else None
    return env.get_template(template).render(
        standalone=standalone,
        inline_css=css,
        stylesheets=[f"{STATIC_URL}/{name}" for name in stylesheets],
        picture=_embedded_picture if standalone else _served_picture,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        **context,
    )


def _served_picture(name: str) -> str:
    return f"{PICTURE_URL}/{name}"


@functools.lru_cache(maxsize=64)
def _embedded_picture(name: str) -> str:
    data = picture_path(name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def static_file(name: str) -> Path | None:
    """A stylesheet or script shipped with the trainer pages, or None."""
    path = STATIC / name
    return path if name.endswith((".css", ".js")) and path.parent == STATIC and path.is_file() else None
