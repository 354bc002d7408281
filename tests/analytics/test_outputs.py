"""Files trainers take away: the workshop report as PDF/HTML/CSV and handouts, made by the real CLI; the PDF pages
are rendered to PNG with pdftoppm and the handout's QR code decoded from the picture with zbarimg."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from yorisoi.cli import main

from .conftest import Seeded

needs_tools = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and Path("/usr/bin/chromium").exists()), reason="needs pdftoppm and chromium"
)


def pages_as_png(pdf: Path, out: Path, dpi: int = 60) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / pdf.stem)], check=True)
    return sorted(out.glob(f"{pdf.stem}-*.png"))


def test_report_csv_holds_every_table(sqlite_seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "report.csv"
    code = main(["report", "--procedure", "konbini-juminhyo", "--since", "2026-09-01", "--out", str(out),
                 "--database-url", sqlite_seeded.url])  # fmt: skip
    assert code == 0
    text = out.read_text(encoding="utf-8")
    for name in ("# funnel", "# steps", "# hardest", "# escalations-site-hour", "# weeks", "# languages", "# sizes"):
        assert name in text
    assert "konbini-juminhyo,place-card," in text
    assert "eltax-qr-payment" not in text


def test_report_refuses_unknown_formats_and_procedures(sqlite_seeded: Seeded, tmp_path: Path) -> None:
    assert main(["report", "--out", str(tmp_path / "r.docx"), "--database-url", sqlite_seeded.url]) == 2
    assert main(["report", "--procedure", "nope", "--out", str(tmp_path / "r.html")]) == 2
    assert main(["handout", "nope", "--out", str(tmp_path / "h.html")]) == 2


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_workshop_report_pdf_has_a4_pages_with_the_funnel(sqlite_seeded: Seeded, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    code = main(["report", "--procedure", "konbini-juminhyo", "--out", str(pdf), "--database-url", sqlite_seeded.url])
    assert code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "練習のおすすめ" in text and "カードを置く" in text and "暗証番号の確認" in text
    pngs = pages_as_png(pdf, tmp_path)
    assert len(pngs) >= 2
    from PIL import Image

    first = Image.open(pngs[0]).convert("L")
    histogram = first.histogram()
    dark = sum(histogram[:128]) / (first.width * first.height)
    assert 0.01 < dark < 0.5  # text was drawn, the page is not blank or black


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_handout_pdf_marks_hard_steps_and_its_qr_code_decodes(sqlite_seeded: Seeded, tmp_path: Path) -> None:
    pdf = tmp_path / "handout.pdf"
    code = main(["handout", "mynaportal-login", "--lang", "ja", "--out", str(pdf), "--database-url", sqlite_seeded.url])
    assert code == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "ここでつまずく方が多いです" in text
    assert "アプリを入れる" in text
    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg is not installed")
    pngs = pages_as_png(pdf, tmp_path, dpi=150)
    found = subprocess.run(["zbarimg", "-q", "--raw", *map(str, pngs)], capture_output=True, text=True).stdout
    install = sqlite_seeded.procedures["mynaportal-login"].step("install-app")
    assert install.qr is not None
    assert found.split() == [install.qr.url]  # the one QR code on the handout, decoded from the printed page
