"""Every screen the shipped content can produce, and the checks a kiosk screen must pass (used by the layout tests)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache

from kiosk.guide import Guide, GuideState, ScreenView
from kiosk.guide.state import Call, Escalation, Place
from kiosk.ui.layout import MIN_GAP, MIN_TARGET, PRIMARY_H, PRIMARY_W, Metrics
from kiosk.ui.screen import LAST_RESORT

LONG_STAFF_MESSAGE = (
    "カードを読み取り機の上に置いたまま、うごかさずに 5秒ほど お待ちください。すぐに そちらへ 行きます。"
)


def screen_states(guide: Guide, language: str, size: str) -> Iterator[tuple[str, GuideState]]:
    """(name, state) for every screen: start, catalog pages, each procedure's before/missing/steps, help, waiting."""
    base = GuideState(session_id="sweep-session", language=language, text_size=size)
    yield "start", replace(base, session_id=None)
    pages = -(-len(guide.procedures) // guide.settings.page_size)
    for page in range(pages):
        yield f"catalog-{page}", replace(base, place=Place("catalog", page=page))
    for pid, procedure in sorted(guide.procedures.items()):
        yield f"{pid}/before", replace(base, place=Place("before", pid))
        yield f"{pid}/missing", replace(base, place=Place("missing", pid))
        for step in procedure.steps:
            yield f"{pid}/{step.id}", replace(base, place=Place("step", pid, step.id))
    yield "help", replace(base, place=Place("help"))
    yield "offer", replace(base, place=Place("offer"), offer_signal="idle-long")
    yield "voice", replace(base, place=Place("voice"), speech_rate=0, volume=2)
    esc = Escalation("other", status="waiting", position=3, wait_s=420, waited_s=9999, messages=(LONG_STAFF_MESSAGE,))
    yield "waiting", replace(base, place=Place("waiting"), escalation=esc)
    yield "unreachable", replace(base, place=Place("waiting"), escalation=replace(esc, status="unreachable"))
    with_staff = replace(esc, status="claimed", position=None, answered="say-again")
    yield "answers", replace(base, place=Place("waiting"), escalation=with_staff)
    yield "question", replace(base, place=Place("waiting"), escalation=replace(with_staff, question=7))
    for status in ("ringing", "in-call"):
        for pid in sorted(guide.procedures)[:2]:
            step = guide.procedures[pid].steps[0].id
            call = Call("c" * 32, status=status)
            yield (
                f"call-{status}/{pid}",
                replace(base, place=Place("step", pid, step), escalation=with_staff, call=call),
            )


def overlay_state(state: GuideState) -> GuideState:
    """The same state with the inactivity warning showing."""
    return replace(state, warning_left_s=60.0)


def _gap(a, b) -> float:
    (ax, ay, aw, ah), (bx, by, bw, bh) = a, b
    dx = max(bx - (ax + aw), ax - (bx + bw), 0)
    dy = max(by - (ay + ah), ay - (by + bh), 0)
    return max(dx, dy)


def _overlap(a, b) -> bool:
    (ax, ay, aw, ah), (bx, by, bw, bh) = a, b
    return ax < bx + bw - 0.5 and bx < ax + aw - 0.5 and ay < by + bh - 0.5 and by < ay + ah - 0.5


def layout_problems(screen, view: ScreenView, size: tuple[int, int]) -> list[str]:
    """Render `view` at `size` (no frame needed) and list everything wrong with the result."""
    from kiosk.ui.widgets import KioskButton, TextBox

    screen.show(view, size=size)
    w, h = size
    widgets = list(screen.children)
    buttons = [x for x in widgets if isinstance(x, KioskButton)]
    texts = [x for x in widgets if isinstance(x, TextBox)]
    problems = []
    # REQUIREMENTS: body text >= 40 px at 1920x1080 (at every text size: larger sizes never shrink below the
    # standard one); smaller panels scale that down and may go 15% below it as a last resort (long English)
    m = Metrics.of(w, h, view.text_size)
    floor = m.min_body if (w, h) == (1920, 1080) else round(m.min_body * LAST_RESORT)
    for x in texts + buttons:
        if x.text and x.font_size < floor:
            problems.append(f"text drawn at {x.font_size}px, below the {floor}px minimum: {x.text[:30]!r}")
    for t in texts:
        if not t.fits():
            problems.append(f"text overflows its box: {t.text[:30]!r} texture {t.texture_size} box {t.size}")
        if t.x < -0.5 or t.y < -0.5 or t.right > w + 0.5 or t.top > h + 0.5:
            problems.append(f"text outside the window: {t.text[:30]!r}")
    for b in buttons:
        if not b.fits():
            problems.append(f"label overflows button {b.button_id}: {b.texture_size} in {b.inner}")
        if b.width < MIN_TARGET or b.height < MIN_TARGET:
            problems.append(f"target {b.button_id} smaller than {MIN_TARGET}px: {b.size}")
        if b.role in ("primary", "choice", "card") and (b.width < PRIMARY_W or b.height < PRIMARY_H):
            problems.append(f"primary {b.button_id} smaller than {PRIMARY_W}×{PRIMARY_H}: {b.size}")
    modal = view.overlay is not None or (view.call is not None and view.call.status == "ringing")
    if not modal:
        rects = [(b.button_id, (b.x, b.y, b.width, b.height)) for b in buttons]
        for i, (ida, ra) in enumerate(rects):
            for idb, rb in rects[i + 1 :]:
                if _overlap(ra, rb) or _gap(ra, rb) < MIN_GAP - 0.5:
                    problems.append(f"buttons {ida} and {idb} closer than {MIN_GAP}px")
        for t in texts:
            box = (t.x, t.y, t.width, t.height)
            for b in buttons:
                if b.role != "card" and _overlap(box, (b.x, b.y, b.width, b.height)):
                    problems.append(f"text {t.text[:20]!r} runs into button {b.button_id}")
            for other in texts:
                if other is not t and _overlap(box, (other.x, other.y, other.width, other.height)):
                    problems.append(f"texts overlap: {t.text[:20]!r} / {other.text[:20]!r}")
    return problems


@lru_cache(maxsize=1)
def _font_probe(path: str):
    from PIL import ImageFont

    font = ImageFont.truetype(path, 40)
    tofu = font.getmask("\U000f0000")
    return font, (tofu.size, bytes(tofu))


@lru_cache(maxsize=20000)
def covered(path: str, ch: str) -> bool:
    """True when the font file draws `ch` with its own glyph (not the .notdef box)."""
    if ch.isspace() or ch in "\u200b":
        return True
    font, tofu = _font_probe(path)
    mask = font.getmask(ch)
    return (mask.size, bytes(mask)) != tofu


def walked_states(guide: Guide, procedure_id: str, language: str, size: str) -> Iterator[tuple[str, GuideState]]:
    """Every screen a resident can reach in one procedure by walking every branch from its first step with the
    engine (progress, offered help and end screens as they really come), plus the calm check-in on patient steps."""
    from kiosk.guide import actions as a
    from kiosk.guide.patience import patience_s

    state = GuideState(language=language, text_size=size)
    for action in (a.Begin("sweep"), a.StartProcedure(procedure_id), a.Next()):
        state, _ = guide.step(state, action)
    todo, seen = [(state, ())], set()
    while todo:
        state, path = todo.pop()
        view = guide.view(state)
        key = (view.place, view.progress)
        step_id = state.place.step_id or ""
        if key not in seen:
            seen.add(key)
            yield f"{procedure_id}/{'>'.join((*path, step_id))}", state
            if patience_s(guide.steps[procedure_id][step_id], guide.settings):
                yield f"{procedure_id}/{step_id}+check-in", replace(state, checked_in=True)
        for button in view.buttons:
            if isinstance(button.action, (a.Next, a.Choose)):
                new, _ = guide.step(state, button.action)
                if new.place.step_id not in path:  # the walk tests prove there are no loops; never spin here
                    todo.append((new, (*path, step_id)))
