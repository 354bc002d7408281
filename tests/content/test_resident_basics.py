"""The smartphone basics and the コンビニ / ぴったり procedures: asked once, branched where phones differ, and no
password ever travels through the kiosk or a site setting."""

from __future__ import annotations

import re

import pytest

from content.loader import PACKAGED, load_procedure
from content.schema import SITE_PLACEHOLDER, Procedure

SMARTPHONE = ("smartphone-text-input", "smartphone-qr-read", "smartphone-wifi-connect", "smartphone-app-install")
OTHERS = ("konbini-inkan", "konbini-kazei", "pittari-online-application")
SECRET_SETTING = re.compile(r"pass|pin|password|暗証", re.I)


def _load(pid: str) -> Procedure:
    return load_procedure(PACKAGED / "procedures" / f"{pid}.yaml")


def _reachable(p: Procedure, start: str) -> set[str]:
    by_id = {s.id: s for s in p.steps}
    seen, todo = set(), [start]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(by_id[current].targets())
    return seen


@pytest.mark.parametrize("pid", SMARTPHONE)
def test_smartphone_basics_are_real_procedures_on_their_own_category(pid):
    p = _load(pid)
    assert p.category == "smartphone" and p.source is not None
    assert any(s.end and s.end.kind == "counter" for s in p.steps), "a staff branch exists"


@pytest.mark.parametrize("pid", SMARTPHONE)
def test_the_phone_type_is_asked_at_most_once_and_both_branches_meet_again(pid):
    p = _load(pid)
    asks = [s for s in p.steps if s.question and {"iphone", "android"} <= {c.id for c in s.question.choices}]
    assert len(asks) <= 1
    for ask in asks:
        nexts = {c.id: c.next for c in ask.question.choices}
        assert nexts["iphone"] != nexts["android"]
        common = _reachable(p, nexts["iphone"]) & _reachable(p, nexts["android"])
        assert any(p.step(s).end and p.step(s).end.kind == "done" for s in common), "both phones reach the same end"


@pytest.mark.parametrize("pid", SMARTPHONE + OTHERS)
def test_no_site_setting_holds_a_password_or_pin(pid):
    p = _load(pid)
    assert not [s.name for s in p.site_settings if SECRET_SETTING.search(s.name) and not s.name.endswith("_where")]


def test_the_facility_wifi_password_is_never_on_the_kiosk_only_where_it_is_posted():
    p = _load("smartphone-wifi-connect")
    names = {s.name for s in p.site_settings}
    assert "wifi_password_where" in names and not any(n.endswith("password") for n in names)
    for step in p.steps:
        used = set(SITE_PLACEHOLDER.findall(step.instruction.get("ja")))
        if "wifi_password_where" in used:
            assert step.where == "phone" and step.caution is not None


def test_an_app_store_password_prompt_is_a_branch_not_a_dead_end():
    p = _load("smartphone-app-install")
    get = next(s for s in p.steps if s.question and any(c.id == "password" for c in s.question.choices))
    prompt = p.step(next(c.next for c in get.question.choices if c.id == "password"))
    assert prompt.where == "phone" and "shield" in prompt.caution.get("en").lower()
    assert re.search(r"staff", prompt.caution.get("en"), re.I), "says staff never ask for it"
    forgotten = p.step(next(c.next for c in prompt.question.choices if c.id == "forgotten"))
    assert forgotten.end is not None and forgotten.end.kind == "counter"


def test_the_qr_practice_code_on_the_kiosk_opens_an_official_page():
    p = _load("smartphone-qr-read")
    urls = [s.qr.url for s in p.steps if s.qr]
    assert urls and all(re.match(r"https://[a-z0-9.-]+\.go\.jp/", u) for u in urls)


@pytest.mark.parametrize("pid", ("konbini-inkan", "konbini-kazei"))
def test_convenience_store_certificates_fees_and_hours_are_site_settings(pid):
    p = _load(pid)
    names = {s.name for s in p.site_settings}
    assert {"konbini_hours", "counter_hours"} <= names
    assert any(n.endswith("_fee") for n in names)
    pin_steps = [s for s in p.steps if s.where == "convenience-store" and s.caution and "Shield" in s.caution.get("en")]
    assert pin_steps, "the copier PIN step says to shield it"


def test_pittari_never_lets_a_failed_send_end_in_silence():
    p = _load("pittari-online-application")
    send = p.step("send")
    after = {c.id: p.step(c.next) for c in send.question.choices}
    assert after["yes"].end.kind == "done" and after["no"].end.kind == "counter"
    assert "do not send it again" in after["no"].instruction.get("en")
