"""HTML to PDF through headless Chromium (Playwright driving the system browser; never `playwright install`)."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class PdfUnavailable(Exception):
    """Chromium or Playwright is missing, so no PDF can be made (HTML still can)."""

    code = "pdf-unavailable"


def html_to_pdf(html: str, *, executable: str = CHROMIUM) -> bytes:
    """Print a standalone HTML page to an A4 PDF (the page's own @page and print CSS apply)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ModuleNotFoundError as exc:
        raise PdfUnavailable("the Python package 'playwright' is not installed") from exc
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.route("**/*", lambda route: route.abort())  # a standalone page needs nothing from outside
                page.set_content(html, wait_until="load")
                return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
            finally:
                browser.close()
    except Error as exc:
        raise PdfUnavailable(f"headless Chromium failed: {exc.message.splitlines()[0]}") from exc
