"""Pages assembled from analyses and content: the dashboard, workshop report, handouts and replay."""

from __future__ import annotations

from collections.abc import Mapping

from content.schema import Procedure
from helpdesk.analytics import handout, pages, report
from helpdesk.analytics.replay import Replay


def titles(procedures: Mapping[str, Procedure]) -> tuple[dict[str, str], dict[str, str]]:
    """Japanese titles of procedures (by id) and of steps (by `procedure/step`)."""
    names = {pid: p.title.get("ja") for pid, p in sorted(procedures.items())}
    steps = {f"{pid}/{s.id}": s.title.get("ja") for pid, p in procedures.items() for s in p.steps}
    return names, steps


def dashboard(data: report.Report, procedures: Mapping[str, Procedure], *, query: str = "") -> str:
    """The interactive dashboard (served)."""
    names, steps = titles(procedures)
    return pages.render(
        "dashboard.html",
        report=data,
        scope=data.scope,
        titles=names,
        step_titles=steps,
        tables=report.TABLES,
        query=query,
    )


def workshop_report(
    data: report.Report, procedures: Mapping[str, Procedure], *, standalone: bool = False, query: str = ""
) -> str:
    """The printable workshop report (A4 print CSS)."""
    names, steps = titles(procedures)
    pid = data.scope.procedure_id
    return pages.render(
        "report.html",
        standalone=standalone,
        report=data,
        scope=data.scope,
        titles=names,
        step_titles=steps,
        heading=names.get(pid, pid) if pid else "すべての手続き",
        points=report.practice_points(data, procedures),
        query=query,
    )


def handout_page(
    procedure: Procedure, language: str, *, hard: set[str], standalone: bool = False, site_values=None
) -> str:
    """A handout for one procedure and language."""
    built = handout.build(procedure, language, hard=hard, site_values=site_values)
    lang = "en" if language == "en" else "ja"
    return pages.render(
        "handout.html",
        standalone=standalone,
        stylesheets=("handout.css",),
        handout=built,
        lang=lang,
    )


def handout_index(procedures: Mapping[str, Procedure]) -> str:
    """Links to every handout."""
    names, _ = titles(procedures)
    return pages.render("handouts.html", titles=names)


def sessions_page(sessions: list[dict], procedures: Mapping[str, Procedure], *, query: str = "") -> str:
    """Recent sessions to replay."""
    names, steps = titles(procedures)
    return pages.render("sessions.html", sessions=sessions, titles=names, step_titles=steps, query=query)


def replay_page(replay: Replay, procedures: Mapping[str, Procedure], frame_index: int | None) -> str:
    """One screen of a session replay, with its events and times."""
    names, _ = titles(procedures)
    frames = list(replay.frames)
    indexes = [f.index for f in frames]
    position = indexes.index(frame_index) if frame_index in indexes else 0
    frame = frames[position]
    procedure = procedures.get(replay.procedure_id or "")
    step = None
    if procedure is not None and frame.step_id:
        try:
            step = handout.step_view(0, procedure.step(frame.step_id), replay.language, set(), None)
        except KeyError:
            step = None
    return pages.render(
        "replay.html",
        replay=replay,
        frame=frame,
        step=step,
        titles=names,
        first=indexes[0],
        previous=indexes[position - 1] if position else None,
        following=indexes[position + 1] if position + 1 < len(indexes) else None,
        position=position + 1,
        total=len(indexes),
    )
