"""Residents who are slow, not gone: a step done on the resident's own phone or at a store waits longer, checks in
calmly once, and still wipes when nobody comes back. The pure engine, ticked by hand."""

from __future__ import annotations

from content.loader import parse_yaml
from content.schema import Procedure
from kiosk.config import KioskConfig
from kiosk.guide import Guide, GuideSettings, Record, Say, Show, Wipe
from kiosk.guide import actions as a
from kiosk.guide.patience import idle_limit, patience_s

PROCEDURE = """
id: patient
category: mynumber
title: {ja: 待つ練習, ja-easy: まつ れんしゅう, en: Waiting}
summary: {ja: 待ちます, ja-easy: まちます, en: Wait}
minutes: 5
source: {url: "https://www.digital.go.jp/", title: デジタル庁, checked: 2026-12-01}
steps:
  - id: at-kiosk
    where: kiosk
    title: {ja: 機械で, ja-easy: きかいで, en: Here}
    instruction: {ja: 読みます, ja-easy: よみます, en: Read}
    next: on-phone
  - id: on-phone
    where: phone
    title: {ja: スマホで, ja-easy: スマホで, en: Phone}
    instruction: {ja: アプリを入れます, ja-easy: アプリを いれます, en: Install the app}
    next: at-store
  - id: at-store
    where: convenience-store
    title: {ja: コンビニで, ja-easy: コンビニで, en: Store}
    instruction: {ja: コピー機を使います, ja-easy: コピー機を つかいます, en: Use the copier}
    next: long-read
  - id: long-read
    where: kiosk
    patience_s: 300
    title: {ja: 長い説明, ja-easy: ながい せつめい, en: Long}
    instruction: {ja: 書類を見くらべます, ja-easy: しょるいを くらべます, en: Compare the papers}
    next: phone-end
  - id: phone-end
    where: phone
    title: {ja: おわり, ja-easy: おわり, en: End}
    instruction: {ja: できました, ja-easy: できました, en: Done}
    end: {kind: done, message: {ja: おわり, ja-easy: おわり, en: Done}}
"""
SETTINGS = GuideSettings(idle_warning_s=180, warning_grace_s=60, away_idle_warning_s=600)
GUIDE = Guide({"patient": Procedure.model_validate(parse_yaml(PROCEDURE))}, SETTINGS)


def at(step_id: str, language: str = "ja"):
    state, _ = GUIDE.step(GUIDE.initial(), a.SetLanguage(language)) if language != "ja" else (GUIDE.initial(), [])
    for action in (a.Begin("s"), a.StartProcedure("patient"), a.Next()):
        state, _ = GUIDE.step(state, action)
    while state.place.step_id != step_id:
        state, _ = GUIDE.step(state, a.Next())
    return state


def tick(state, seconds: float, every: float = 1.0):
    """Tick second by second, as the kiosk does; every effect in order."""
    effects = []
    for _ in range(round(seconds / every)):
        state, more = GUIDE.step(state, a.Tick(every))
        effects += more
    return state, effects


def records(effects):
    return [e.action for e in effects if isinstance(e, Record)]


def test_a_kiosk_step_warns_at_the_usual_time_and_wipes_after_the_grace():
    state, effects = tick(at("at-kiosk"), 179)  # (the help offer for a long time on the step comes meanwhile)
    assert state.warning_left_s is None and "idle-check-in" not in records(effects)
    state, effects = tick(state, 1)
    assert records(effects) == ["timeout-warning"] and state.warning_left_s == 60
    state, effects = tick(state, 60)
    assert any(isinstance(e, Wipe) for e in effects) and not state.in_session


def test_a_phone_step_checks_in_calmly_then_waits_for_its_own_limit():
    state, effects = tick(at("on-phone"), 180)
    assert records(effects) == ["idle-check-in"]
    [said] = [e for e in effects if isinstance(e, Say)]
    assert said.text == "ゆっくりで大丈夫です。この画面のまま、お待ちしています。"
    view = [e.view for e in effects if isinstance(e, Show)][-1]
    assert view.banner == said.text and view.overlay is None  # shown as well as spoken, nothing to dismiss
    state, effects = tick(state, 419)
    assert records(effects) == [] and state.warning_left_s is None and state.in_session
    state, effects = tick(state, 1)  # 600 s without a touch: the usual warning, said aloud, with つづける
    assert records(effects) == ["timeout-warning"] and any(isinstance(e, Say) for e in effects)
    assert GUIDE.view(state).overlay is not None


def test_a_resident_who_truly_left_a_phone_step_is_still_wiped():
    state, effects = tick(at("on-phone"), 660)
    assert records(effects)[:2] == ["idle-check-in", "timeout-warning"]
    assert any(isinstance(e, Wipe) and e.outcome == "timeout" for e in effects)
    assert state == GUIDE.initial()


def test_the_check_in_is_said_once_and_again_only_after_a_touch():
    state, _ = tick(at("at-store"), 200)
    state, effects = tick(state, 200)
    assert "idle-check-in" not in records(effects)
    state, _ = GUIDE.step(state, a.Repeat())  # a touch: somebody is here
    assert state.idle_s == 0 and not state.checked_in and GUIDE.view(state).banner is None
    state, effects = tick(state, 180)
    assert records(effects) == ["idle-check-in"]


def test_a_step_can_ask_for_its_own_patience():
    state, effects = tick(at("long-read"), 299)
    assert records(effects) == ["idle-check-in"]
    state, effects = tick(state, 1)
    assert records(effects) == ["timeout-warning"]


def test_an_end_on_the_phone_waits_only_the_usual_time():
    _state, effects = tick(at("phone-end"), 180)
    assert records(effects) == ["timeout-warning"]


def test_the_check_in_speaks_the_residents_language():
    _state, effects = tick(at("on-phone", "en"), 180)
    assert [e.text for e in effects if isinstance(e, Say)] == ["Take your time. This screen will wait for you."]
    _state, effects = tick(at("on-phone", "ja-easy"), 180)
    assert [e.text for e in effects if isinstance(e, Say)] == [
        "ゆっくりで だいじょうぶです。 この がめんの まま まって います。"
    ]


def test_time_away_on_the_phone_is_not_taken_for_being_stuck():
    """The help offer for a long time on one step waits for the phone step's own limit."""
    state, effects = tick(at("on-phone"), 500)
    assert "stuck-signal" not in records(effects) and state.place.screen == "step"
    state, effects = tick(at("at-kiosk"), 170)
    assert "stuck-signal" in records(effects)  # the same silence on a kiosk step is worth an offer


def test_the_help_offer_over_a_phone_step_keeps_the_phone_steps_patience():
    state = at("on-phone")
    for _ in range(3):  # three もういちど: the repeat signal offers help over the phone step
        state, _ = GUIDE.step(state, a.Repeat())
    assert state.place.screen == "offer"
    assert idle_limit(state, GUIDE.steps["patient"]["on-phone"], SETTINGS) == 600
    state, effects = tick(state, 180)
    assert records(effects) == ["idle-check-in"] and state.warning_left_s is None


def test_the_away_time_comes_from_the_kiosk_configuration():
    config = KioskConfig.model_validate(
        {
            "site": "s1",
            "kiosk_id": "k1",
            "helpdesk_url": "https://helpdesk.example.jp",
            "timeouts": {"away_idle_warning_s": 900},
        }
    )
    settings = config.guide_settings()
    assert settings.away_idle_warning_s == 900
    assert patience_s(GUIDE.steps["patient"]["on-phone"], settings) == 900
    assert patience_s(GUIDE.steps["patient"]["at-kiosk"], settings) is None
