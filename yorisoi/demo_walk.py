"""The headless demo's scripted resident: touches through a procedure, asks for help (a real escalation to the
embedded helpdesk), gets a staff reply through the staff API, finishes, and photographs every screen."""

from __future__ import annotations

import time
from pathlib import Path


class Walk:
    """A kiosk on the offscreen window plus a camera."""

    def __init__(self, kiosk, shots: Path | None):
        self.kiosk, self.shots, self.count = kiosk, shots, 0

    def snap(self, name: str) -> None:
        """Screenshot the current screen as NN-name.png."""
        from kiosk.ui.pilot import frames, screenshot

        frames(2)
        self.count += 1
        if self.shots is not None:
            screenshot(self.shots / f"{self.count:02d}-{name}.png")
        print(f"  {self.count:02d} {name}: {self.kiosk.screen.view.title}")

    def touch(self, button_id: str, name: str | None = None) -> None:
        """Touch a button at its centre, then photograph the result."""
        from kiosk.ui.pilot import touch

        touch(self.kiosk.screen, button_id)
        self.snap(name or button_id)

    def wait(self, predicate, timeout_s: float = 15.0) -> bool:
        """Advance frames until `predicate()` (results from the helpdesk arrive through the Kivy clock)."""
        from kiosk.ui.pilot import frames

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if predicate():
                return True
            frames(1)
            time.sleep(0.02)
        return False


def staff_reply(base_url: str, seed, escalation_id: str, text: str) -> None:
    """What a staff member does in the console: log in, claim the request, reply."""
    import requests

    api = f"{base_url}/api/v1"
    with requests.Session() as staff:
        login = staff.post(
            f"{api}/auth/login", json={"login": seed.staff_login, "password": seed.staff_password}, timeout=10
        )
        login.raise_for_status()
        headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        staff.post(f"{api}/escalations/{escalation_id}/claim", headers=headers, timeout=10).raise_for_status()
        body = {"kind": "text", "text": text}
        staff.post(
            f"{api}/escalations/{escalation_id}/messages", json=body, headers=headers, timeout=10
        ).raise_for_status()


def walk_resident(config, seed, base_url: str, shots: Path | None, procedure: str, language: str) -> int:
    """Run the scripted walk; 0 when every screen was reached and the help request went through."""
    from kiosk.assembly import build_kiosk
    from kiosk.ui.pilot import open_window
    from kiosk.ui.window import configure_window

    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    configure_window(False)
    window = open_window((1920, 1080))
    kiosk = build_kiosk(config, size=tuple(window.size))
    window.add_widget(kiosk.screen)
    kiosk.runtime.start()
    walk = Walk(kiosk, shots)
    walk.snap("start")
    walk.touch("begin", "catalog")
    while kiosk.runtime.state.language != language:
        walk.touch("language", f"language-{kiosk.runtime.state.language}")
    while f"card-{procedure}" not in {getattr(w, "button_id", None) for w in kiosk.screen.children}:
        walk.touch("next-page", "catalog-more")
    walk.touch(f"card-{procedure}", "before")
    walk.touch("next", "step")
    _forward(walk)
    walk.touch("size", "step-large-text")
    walk.touch("voice", "voice-settings")
    walk.touch("speed", "voice-faster")
    walk.touch("done", "back-to-step")
    if not ask_for_help(walk, base_url, seed):
        return 1
    walk.touch("size", "step-largest-text")
    for _ in range(30):
        if kiosk.screen.view is not None and kiosk.screen.view.screen in ("done", "counter"):
            break
        _forward(walk)
    kiosk.runtime.tick(config.timeouts.idle_warning_s)
    walk.snap("timeout-warning")
    walk.touch("continue", "continued")
    walk.touch("finish", "start-again")
    print(f"demo walk done: {walk.count} screens" + (f" in {shots}" if shots else ""))
    finished = kiosk.screen.view is not None and kiosk.screen.view.screen == "start"
    kiosk.close()
    return 0 if finished else 1


def ask_for_help(walk: Walk, base_url: str, seed) -> bool:
    """係の人を呼ぶ → a reason → waiting in the real queue → a staff reply shown → back to the procedure."""
    runtime = walk.kiosk.runtime
    walk.touch("help", "help-reasons")
    walk.touch("reason-card-unreadable", "waiting")
    if not walk.wait(lambda: runtime.help.escalation_id is not None):
        print("the help request did not reach the helpdesk", flush=True)
        return False
    walk.wait(lambda: runtime.state.escalation.status == "waiting", 5)
    walk.snap("waiting-in-queue")
    staff_reply(
        base_url,
        seed,
        runtime.help.escalation_id,
        "係の者です。カードを読み取り機に置いたまま、5秒お待ちください。",
    )
    if not walk.wait(lambda: runtime.state.escalation.messages):
        print("the staff reply did not reach the kiosk", flush=True)
        return False
    walk.snap("staff-message")
    walk.touch("back", "back-to-step")  # the bar's もどる: with staff there, the answers fill the action row
    return True


def _forward(walk: Walk) -> None:
    """つぎへ, or the first answer that does not send the resident to the counter when the step asks a question."""
    view = walk.kiosk.screen.view
    choices = [b.id for b in view.buttons if b.role == "choice" and b.id != "offer-help"]
    if any(b.id == "next" for b in view.buttons):
        walk.touch("next", "step")
    elif choices:
        walk.touch(next((c for c in choices if not _to_counter(walk, c)), choices[0]), "answer")


def _to_counter(walk: Walk, choice_id: str) -> bool:
    """True when this answer leads straight to a 'please go to the counter' end."""
    state, guide = walk.kiosk.runtime.state, walk.kiosk.guide
    step = guide.steps[state.place.procedure_id or ""][state.place.step_id or ""]
    target = next(c.next for c in step.question.choices if f"choice-{c.id}" == choice_id) if step.question else None
    end = guide.steps[state.place.procedure_id or ""][target].end if target else None
    return end is not None and end.kind == "counter"
