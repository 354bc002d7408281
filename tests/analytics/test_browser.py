"""The trainer pages in a real browser (headless Chromium via Playwright): log in, filter, follow the charts,
download a CSV, replay a session, open a handout — with the console's CSP in force and no console errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from content.loader import load_catalog
from helpdesk.analytics import mount
from helpdesk.analytics.synthetic import default_plants
from helpdesk.api.app import create_app
from helpdesk.embedded import EmbeddedServer
from helpdesk.settings import HelpdeskSettings
from tests.browser import chromium

from .conftest import PASSWORD, Seeded

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def base_url(sqlite_seeded: Seeded) -> Iterator[str]:
    app = create_app(HelpdeskSettings(database_url=sqlite_seeded.url, cookie_secure=False), web=False)
    mount(app)
    with EmbeddedServer(app) as server:
        yield server.base_url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def test_trainer_walks_through_the_pages(browser, base_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=base_url, locale="ja-JP", accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)

    answer = context.request.post("/api/v1/auth/login", data={"login": "tina", "password": PASSWORD})
    assert answer.ok
    page.goto("/trainer/")
    assert page.locator("h1").inner_text() == "セッション分析"
    assert page.locator("svg.chart").count() >= 12
    # the stylesheet applied (CSP allows only 'self'): the nav bar has its background colour
    assert page.locator("nav.top").evaluate("n => getComputedStyle(n).backgroundColor") == "rgb(232, 238, 245)"

    page.select_option("select[name=procedure]", "konbini-juminhyo")
    page.click("form.filters button")
    page.wait_for_url("**/trainer/?procedure=konbini-juminhyo*")
    assert page.locator("article.funnel").count() == 1
    [planted] = [key for key in default_plants(load_catalog().procedures)[0] if key.startswith("konbini-juminhyo/")]
    planted_title = load_catalog().get("konbini-juminhyo").step(planted.split("/")[1]).title.get("ja")
    assert page.locator("tr.worst th").inner_text() == planted_title  # the planted drop-off, highlighted

    with page.expect_download() as download:
        page.click("p.csv a:text('funnel')")
    saved = tmp_path / "funnel.csv"
    download.value.save_as(saved)
    assert saved.read_text(encoding="utf-8").startswith("procedure,step,reached")

    page.click("nav.top a:text('セッション再生')")
    page.locator("a.replay-link").first.click()
    page.wait_for_selector(".replay .screen")
    first = page.locator(".screen-title").inner_text()
    page.click("a.next")
    assert page.locator(".screen-title").inner_text() != first or page.locator(".where-in").inner_text() != "画面 1 / 1"
    assert page.locator(".timeline li").count() >= 1
    page.screenshot(path=str(tmp_path / "replay.png"))

    page.goto("/trainer/handouts/konbini-juminhyo?lang=ja")
    assert page.locator("section.hstep.hard").count() >= 1
    assert page.locator("img.pic").first.evaluate("i => i.naturalWidth") > 0  # pictures load from /trainer/pictures
    page.goto("/trainer/report?procedure=konbini-juminhyo")
    assert "練習のおすすめ" in page.content()
    assert failed == []  # every stylesheet, picture and link the pages use exists
    # Chromium's own /favicon.ico request (not seen as a page response) may 404: the helpdesk has no favicon yet
    assert [p for p in problems if "404" not in p] == []
    assert outside == []
    context.close()


def test_staff_without_the_role_gets_no_analytics_page(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=base_url)
    assert context.request.post("/api/v1/auth/login", data={"login": "sam", "password": PASSWORD}).ok
    page = context.new_page()
    response = page.goto("/trainer/")
    assert response is not None and response.status == 403
    assert "forbidden" in page.content()
    context.close()
