"""Console pages over HTTP: who may open what, security headers, language switch, no third-party requests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

import helpdesk.console

pytestmark = pytest.mark.slow  # a real uvicorn server on 127.0.0.1

PACKAGE = Path(helpdesk.console.__file__).resolve().parent


def test_pages_send_you_to_login_without_a_session(helpdesk) -> None:
    """No cookie: every page redirects to the login page, which itself is served."""
    for path in ("/console/", "/console/queue", "/console/admin/kiosks", f"/console/escalations/{'a' * 32}"):
        answer = requests.get(helpdesk.base_url + path, allow_redirects=False, timeout=10)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/console/login"
    login = requests.get(helpdesk.base_url + "/console/login", timeout=10)
    assert login.status_code == 200
    assert 'id="login-form"' in login.text


def test_each_role_lands_on_its_own_pages(helpdesk) -> None:
    """Staff get the queue, admins the admin pages, trainers the trainer pages; each is sent away from the others'."""
    staff, admin, trainer = (helpdesk.session(name) for name in ("alice", "adam", "tina"))
    assert staff.get(helpdesk.base_url + "/console/", allow_redirects=False).headers["location"] == "/console/queue"
    assert admin.get(helpdesk.base_url + "/console/", allow_redirects=False).headers["location"] == (
        "/console/admin/sites"
    )
    assert staff.get(helpdesk.base_url + "/console/admin/staff", allow_redirects=False).status_code == 303
    assert admin.get(helpdesk.base_url + "/console/queue", allow_redirects=False).status_code == 303
    assert trainer.get(helpdesk.base_url + "/console/queue", allow_redirects=False).headers["location"] == "/trainer/"
    assert trainer.get(helpdesk.base_url + "/console/login", allow_redirects=False).headers["location"] == "/trainer/"
    page = staff.get(helpdesk.base_url + "/console/queue")
    assert page.status_code == 200
    assert "北公民館" in page.text and "南公民館" not in page.text


def test_pages_carry_security_headers_and_no_store(helpdesk) -> None:
    """CSP without inline code, no-store, nosniff, frame denial: on pages and on static files."""
    staff = helpdesk.session("alice")
    for path in ("/console/queue", "/console/login", "/console/static/queue.js"):
        headers = staff.get(helpdesk.base_url + path).headers
        assert headers["Content-Security-Policy"] == "default-src 'self'; frame-ancestors 'none'", path
        assert headers["Cache-Control"] == "no-store"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_script_or_style_and_reference_only_own_files() -> None:
    """CSP forbids inline code; every src/href points into the console (no CDN, no third party)."""
    for template in (PACKAGE / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert "<style" not in text and " style=" not in text and " on" + "click=" not in text, template.name
        for url in re.findall(r'(?:src|href)="([^"]*)"', text):
            assert url.startswith(("/console/", "#")), (template.name, url)


def test_shipped_assets_make_no_third_party_requests() -> None:
    """No absolute URL in any script or stylesheet (the SVG namespace is not a request)."""
    for asset in (PACKAGE / "static").iterdir():
        text = asset.read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import", text), asset.name


def test_language_switch_sets_a_cookie_and_only_returns_into_the_console(helpdesk) -> None:
    """English is one click away; the `next` parameter cannot send anyone off-site."""
    staff = helpdesk.staff_session("alice")
    answer = staff.get(helpdesk.base_url + "/console/lang/en?next=/console/queue", allow_redirects=False)
    assert answer.headers["location"] == "/console/queue"
    cookie = answer.headers["set-cookie"].lower()
    assert "yorisoi_console_lang=en" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    english = staff.get(helpdesk.base_url + "/console/queue")
    assert '<html lang="en">' in english.text and "Filter by site" in english.text
    for evil in ("https://evil.example/", "//evil.example/", "/console//evil.example"):
        answer = staff.get(helpdesk.base_url + "/console/lang/ja", params={"next": evil}, allow_redirects=False)
        assert answer.headers["location"] == "/console/", evil
    assert "拠点で絞り込み" in staff.get(helpdesk.base_url + "/console/queue").text


def test_pictures_are_served_from_the_content_folder_and_nothing_else(helpdesk) -> None:
    """The resident's pictures come from content/pictures; paths cannot climb out of it."""
    from content.loader import PACKAGED

    picture = requests.get(helpdesk.base_url + "/console/pictures/card.png", timeout=10)
    assert picture.content == (PACKAGED / "pictures" / "card.png").read_bytes()
    climb = requests.get(helpdesk.base_url + "/console/pictures/..%2F..%2Fhelpdesk%2Fsettings.py", timeout=10)
    assert climb.status_code == 404
