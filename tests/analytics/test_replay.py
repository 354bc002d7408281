"""Replay cuts a session's events into the screens the resident saw (pure: no database)."""

from __future__ import annotations

from helpdesk.analytics.replay import Moment, frames


def m(offset: float, action: str, step: str | None = None, outcome: str | None = None) -> Moment:
    return Moment(offset, action, step, outcome)


def test_back_returns_to_the_step_before_and_closing_help_stays_on_the_step() -> None:
    moments = (
        m(0, "session-start", outcome="ja"),
        m(3, "procedure-start"),
        m(10, "step-shown", "a"),
        m(12, "repeat", "a"),
        m(20, "step-shown", "b"),
        m(30, "back", "b"),
        m(35, "step-shown", "b"),
        m(40, "help-opened", "b"),
        m(42, "help-asked", "b", "screen-unclear"),
        m(45, "back", "b"),
        m(50, "step-shown", "c"),
        m(60, "session-end", "c", "completed"),
    )
    cut = frames(moments)
    assert [(f.step_id, f.offset_s, f.seconds) for f in cut] == [
        (None, 0, 10),
        ("a", 10, 10),
        ("b", 20, 10),
        ("a", 30, 5),  # back from b shows a again
        ("b", 35, 10),
        ("b", 45, 5),  # leaving the help screen returns to b, not to a
        ("c", 50, 10),
    ]
    assert [x.action for x in cut[1].moments] == ["step-shown", "repeat"]
    assert [x.action for x in cut[4].moments] == ["step-shown", "help-opened", "help-asked", "back"]
    assert cut[-1].moments[-1].outcome == "completed"
    assert [f.index for f in cut] == list(range(7))


def test_a_session_that_ends_before_any_step_has_one_screen() -> None:
    cut = frames((m(0, "session-start", outcome="en"), m(4, "procedure-start"), m(9, "session-end", outcome="home")))
    assert len(cut) == 1 and cut[0].step_id is None and cut[0].seconds == 9
