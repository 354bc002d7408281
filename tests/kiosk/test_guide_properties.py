"""Properties of the guide engine over arbitrary action sequences (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.guide import Guide, GuideSettings, Show, Wipe
from kiosk.guide import actions as a
from tests.kiosk.guide_fixtures import sample_procedure

GUIDE = Guide({"sample": sample_procedure()}, GuideSettings(idle_warning_s=60, warning_grace_s=30))

ACTIONS = st.one_of(
    st.builds(a.Begin, st.sampled_from(["s1", "s2"])),
    st.builds(a.ShowPage, st.integers(-1, 2)),
    st.builds(a.StartProcedure, st.sampled_from(["sample", "nope"])),
    st.just(a.MissingNeeds()),
    st.just(a.Next()),
    st.just(a.Next()),
    st.just(a.Back()),
    st.builds(a.Choose, st.sampled_from(["yes", "no", "bad"])),
    st.just(a.Repeat()),
    st.builds(a.AskHelp, st.sampled_from([None, "other", "card-unreadable", "bogus", "offer:time-on-step"])),
    st.just(a.ReturnToProcedure()),
    st.builds(
        a.EscalationUpdate,
        st.sampled_from(["waiting", "claimed"]),
        st.none() | st.integers(0, 9),
        st.none() | st.integers(0, 900),
    ),
    st.just(a.HelpdeskUnreachable()),
    st.builds(
        a.StaffMessageArrived,
        st.sampled_from(["text", "send-step", "coming", "resolved"]),
        st.sampled_from(["", "少々お待ちください"]),
        st.sampled_from([None, "one", "three", "missing"]),
    ),
    st.builds(a.Tick, st.floats(-1, 50, allow_nan=False)),
    st.just(a.ExtendTime()),
    st.builds(a.SetLanguage, st.sampled_from(["ja", "ja-easy", "en", "fr"])),
    st.builds(a.SetTextSize, st.sampled_from(["standard", "large", "largest", "huge"])),
    st.just(a.CycleTextSize()),
    st.builds(a.SetSpeechRate, st.integers(-1, 3)),
    st.just(a.VoiceNotUnderstood()),
    st.just(a.OpenVoiceSettings()),
    st.just(a.CycleSpeechRate()),
    st.just(a.CycleVolume()),
    st.builds(a.SetVolume, st.integers(-1, 3)),
    st.just(a.DeclineHelp()),
    st.just(a.GoHome()),
    st.builds(a.EndSession, st.sampled_from(["completed", "counter"])),
)


def walk(actions):
    state = GUIDE.initial()
    for action in actions:
        state, effects = GUIDE.step(state, action)
        yield state, effects


@settings(max_examples=300, deadline=None)
@given(st.lists(ACTIONS, max_size=60))
def test_any_sequence_never_raises_and_stays_on_real_screens(actions):
    steps = GUIDE.steps["sample"]
    for state, effects in walk(actions):
        for place in (state.place, *state.history):
            if place.screen == "step":
                assert place.step_id in steps
        assert (state.warning_left_s is None) or state.in_session
        for effect in effects:
            if isinstance(effect, Show):
                assert effect.view.title  # every screen renders with a title


@settings(max_examples=300, deadline=None)
@given(st.lists(ACTIONS, max_size=40))
def test_back_after_next_returns_to_the_same_place(actions):
    for state, _ in walk(actions):
        moved, _ = GUIDE.step(state, a.Next())
        if moved.place == state.place:
            continue
        back, _ = GUIDE.step(moved, a.Back())
        assert (back.place, back.history) == (state.place, state.history)


@settings(max_examples=300, deadline=None)
@given(st.lists(ACTIONS, max_size=40))
def test_home_always_wipes(actions):
    for state, _ in walk(actions):
        if not state.in_session:
            continue
        home, effects = GUIDE.step(state, a.GoHome())
        assert home == GUIDE.initial()
        assert any(isinstance(e, Wipe) for e in effects)
        previous = [e.view for e in effects if isinstance(e, Show)][-1]
        assert previous.screen == "start"


@settings(max_examples=100, deadline=None)
@given(st.lists(ACTIONS, max_size=40), st.sampled_from(["ja", "ja-easy", "en"]))
def test_language_change_keeps_the_place(actions, language):
    for state, _ in walk(actions):
        changed, _ = GUIDE.step(state, a.SetLanguage(language))
        kept = ("place", "history", "session_id", "text_size", "path", "escalation", "offer_signal")
        assert [getattr(changed, k) for k in kept] == [getattr(state, k) for k in kept]
