"""Trainer pages and the analytics API on a real app: roles, CSV exports, thresholds for kiosks, CSP-clean pages."""

from __future__ import annotations

import csv
import io
import re

import httpx

from helpdesk.analytics import mount
from helpdesk.analytics.report import TABLES, build, table
from helpdesk.analytics.settings import AnalyticsSettings
from helpdesk.analytics.sql import Scope
from helpdesk.analytics.steps import step_thresholds
from helpdesk.api.app import create_app
from helpdesk.embedded import EmbeddedServer
from helpdesk.settings import HelpdeskSettings

from .conftest import Seeded, login


def test_trainer_sees_the_dashboard_with_every_section(client: httpx.Client) -> None:
    login(client, "tina")
    page = client.get("/trainer/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    html = page.text
    for heading in (
        "つまずきの多い手順 トップ10",
        "ファネル",
        "係員への呼び出し",
        "週ごとの推移",
        "文字の大きさと言語",
    ):
        assert heading in html
    assert "コンビニで住民票の写しを取る" in html
    assert html.count("<svg") >= 9 + 3
    # CSP default-src 'self': no inline style or script (only the pages' own script file), no outside resources
    assert not re.search(r"<script(?! src=\"/trainer/static/)|style=|<style|https?://(?!www\.w3\.org)", html)


def test_queue_staff_and_kiosks_cannot_open_analytics(client: httpx.Client, sqlite_seeded: Seeded) -> None:
    login(client, "sam")
    for url in (
        "/trainer/",
        "/trainer/report",
        "/trainer/csv/funnel.csv",
        "/api/v1/analytics/report",
        "/trainer/sessions",
    ):
        answer = client.get(url)
        assert answer.status_code == 403, url
        assert answer.json()["code"] == "forbidden"
    client.cookies.clear()
    assert client.get("/trainer/").status_code == 401
    kiosk = {"Authorization": f"Bearer {sqlite_seeded.keys['north-1']}"}
    assert client.get("/trainer/", headers=kiosk).status_code == 403
    assert client.get("/api/v1/analytics/report", headers=kiosk).status_code == 403


def test_trainer_cannot_read_resident_messages(client: httpx.Client, sqlite_seeded: Seeded) -> None:
    login(client, "tina")
    escalation_id = sqlite_seeded.synthetic.escalations[0]["id"]
    answer = client.get(f"/api/v1/escalations/{escalation_id}/messages")
    assert answer.status_code == 403
    data = client.get("/api/v1/analytics/report").text
    for key in sqlite_seeded.keys.values():
        assert key not in data
    assert "key_hash" not in data and "text" not in client.get("/api/v1/analytics/report").json()


def test_every_table_exports_as_csv_with_the_report_numbers(client: httpx.Client, sqlite_seeded: Seeded) -> None:
    login(client, "adam")
    expected = build(sqlite_seeded.db, Scope(procedure_id="konbini-juminhyo"), sqlite_seeded.procedures)
    for name in TABLES:
        answer = client.get(f"/trainer/csv/{name}.csv?procedure=konbini-juminhyo")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(answer.text)))
        header, body = table(expected, name)
        assert rows[0] == header
        assert len(rows) - 1 == len(body), name
    assert client.get("/trainer/csv/secrets.csv").status_code == 404


def test_kiosk_fetches_step_thresholds_once_enough_sessions(client: httpx.Client, sqlite_seeded: Seeded) -> None:
    client.cookies.clear()
    kiosk = {"Authorization": f"Bearer {sqlite_seeded.keys['south-1']}"}
    answer = client.get("/api/v1/analytics/step-thresholds?procedure=konbini-juminhyo", headers=kiosk)
    assert answer.status_code == 200
    served = answer.json()["step_seconds"]
    ends = frozenset(
        {"konbini-juminhyo/take-all", "konbini-juminhyo/end-no-card", "konbini-juminhyo/end-pin-forgotten"}
    )
    with sqlite_seeded.db.read() as conn:
        expected = step_thresholds(conn, Scope(procedure_id="konbini-juminhyo"), min_sessions=30, end_steps=ends)
    assert served == expected
    assert "konbini-juminhyo/has-card" in served and "konbini-juminhyo/take-all" not in served
    assert client.get("/api/v1/analytics/step-thresholds?procedure=nope", headers=kiosk).status_code == 404
    assert client.get("/api/v1/analytics/step-thresholds?procedure=Bad!", headers=kiosk).status_code == 422


def test_replay_steps_through_what_the_resident_saw(client: httpx.Client, sqlite_seeded: Seeded) -> None:
    login(client, "tina")
    listing = client.get("/trainer/sessions?procedure=konbini-juminhyo")
    assert listing.status_code == 200
    first = re.search(r'href="/trainer/sessions/([0-9a-f]{32})"', listing.text)
    assert first
    page = client.get(f"/trainer/sessions/{first.group(1)}?frame=1")
    assert page.status_code == 200
    titles = sqlite_seeded.procedures["konbini-juminhyo"].steps[0].title.root.values()
    assert any(title in page.text for title in titles)  # the first step's title (in the session's language)
    assert client.get("/trainer/sessions/0000000000000000").status_code == 404


def test_handout_pages_mark_hard_steps(client: httpx.Client, sqlite_seeded: Seeded) -> None:
    login(client, "tina")
    page = client.get("/trainer/handouts/konbini-juminhyo?lang=ja")
    assert page.status_code == 200
    marked = re.findall(r'<section class="hstep hard" id="step-([a-z0-9-]+)"', page.text)
    [stuck] = [key for key in sqlite_seeded.plan.stuck_at if key.startswith("konbini-juminhyo/")]
    assert stuck.split("/")[1] in marked  # the planted stuck step
    assert "ここでつまずく方が多いです" in page.text
    assert client.get("/trainer/handouts/konbini-juminhyo?lang=en").status_code == 200
    assert client.get("/trainer/pictures/card.png").headers["content-type"] == "image/png"
    assert client.get("/trainer/pictures/..%2Fschema.py").status_code == 404
    assert client.get("/trainer/static/analytics.css").status_code == 200


def test_every_page_is_clean_under_the_content_security_policy(client: httpx.Client, sqlite_seeded: Seeded) -> None:
    login(client, "tina")
    session_id = sqlite_seeded.synthetic.events[0]["session_id"]
    for url in (
        "/trainer/report?procedure=konbini-juminhyo",
        "/trainer/handouts",
        "/trainer/handouts/mynaportal-login?lang=ja-easy",
        "/trainer/sessions",
        f"/trainer/sessions/{session_id}",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        inline = r"<script(?! src=\"/trainer/static/)|style=|<style|src=\"https?:|href=\"https?:"
        assert not re.search(inline, page.text), url


def test_the_minimum_number_of_sessions_is_configurable(sqlite_seeded: Seeded) -> None:
    app = create_app(HelpdeskSettings(database_url=sqlite_seeded.url, cookie_secure=False), web=False)
    mount(app, AnalyticsSettings(threshold_min_sessions=100_000))
    kiosk = {"Authorization": f"Bearer {sqlite_seeded.keys['north-2']}"}
    with EmbeddedServer(app) as server, httpx.Client(base_url=server.base_url) as http:
        answer = http.get("/api/v1/analytics/step-thresholds", headers=kiosk)
    assert answer.status_code == 200
    assert answer.json() == {"min_sessions": 100_000, "days": 90, "step_seconds": {}}
