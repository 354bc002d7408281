"""The procedures and pictures Yorisoi ships: valid, complete in every language, honest, and our own drawings."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from content.lint import texts
from content.loader import PACKAGED, load_procedure, picture_path
from content.schema import LANGUAGES, SITE_PLACEHOLDER, Procedure

PROCEDURES = PACKAGED / "procedures"
PICTURES = PACKAGED / "pictures"
FILES = sorted(PROCEDURES.glob("*.yaml"))
REQUIRED = {
    "konbini-juminhyo",
    "mynaportal-login",
    "mynumber-card-apply-smartphone",
    "myna-hokensho",
    "eltax-qr-payment",
    "moving-onestop",
    "facility-reservation",
    "library-reservation",
    "touch-practice",
}
OFFICIAL_HOST = re.compile(r"\.(go|lg)\.jp$|^www\.(city|town|village)\.[a-z]+(\.[a-z]+)?\.jp$")
MUNICIPAL_SITES = {"www.lib-utsunomiya.jp"}  # a city library's own site (宇都宮市立図書館)
PUBLIC_BODY_SITES = {
    "support.iam-jpki.jp",  # J-LIS (地方公共団体情報システム機構), the issuer of the card's certificates
    "iryokouiki-hokkaido.jp",  # 北海道後期高齢者医療広域連合, a public body of the municipalities
    "support.apple.com",  # the maker's own manual, for what an iPhone screen shows
    "support.google.com",  # the maker's own manual, for what an Android screen shows
}
PUBLIC_BODY_HOST = re.compile(r"\.(go|lg)\.jp$|(^|\.)(city|town|vill|village|pref)\.[a-z0-9-]+(\.[a-z]+)?\.jp$")
"""国 and 自治体 sites: *.go.jp, *.lg.jp, and the older www.city.X.Y.jp / pref.X.jp / police.pref.X.jp forms."""
PIN_WORDS = re.compile(r"暗証番号|パスワード|\bPIN\b|password", re.I)
KANJI = re.compile(r"[\u4e00-\u9fff]+")
EASY_KANJI = {  # やさしい日本語 keeps kanji only for names printed on the papers and machines the resident must match
    "住民票",
    "暗証番号",
    "申請書",
    "納付書",
    "保険証",
    "資格確認書",
    "図書館",
    "運転免許証",
    "領収証",
    "請求書",
    "証明書",
    "機",
    "銀行",  # コピー機, セブン銀行 (names on the machines)
}
LABEL_OR_SETTING = re.compile(r"「[^」]*」|\{site\.[a-z_0-9]+\}")


def _load_draw_script():
    spec = importlib.util.spec_from_file_location("yorisoi_pictures_draw", PICTURES / "draw.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def procedures() -> dict[str, Procedure]:
    return {path.stem: load_procedure(path) for path in FILES}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_file_validates_and_is_named_after_its_id(path: Path):
    procedure = load_procedure(path)  # raises ContentError naming file, step and field
    assert path.name == f"{procedure.id}.yaml"


def test_the_required_procedures_are_shipped_with_unique_ids(procedures):
    assert set(procedures) >= REQUIRED
    ids = [p.id for p in procedures.values()]
    assert len(ids) == len(set(ids))


def test_every_text_is_in_every_language(procedures):
    missing = [
        f"{pid}: {where} lacks {lang}"
        for pid, p in procedures.items()
        for where, text in texts(p)
        for lang in LANGUAGES
        if not text.root.get(lang, "").strip()
    ]
    assert not missing, "\n".join(missing)


def test_easy_japanese_uses_few_kanji(procedures):
    """ja-easy is written in kana with spaces between phrases; kanji only for printed names (quoted labels aside)."""
    for p in procedures.values():
        easy = [LABEL_OR_SETTING.sub("", t.root["ja-easy"]) for _, t in texts(p)]
        unexpected = {word for text in easy for word in KANJI.findall(text)} - EASY_KANJI
        assert not unexpected, f"{p.id}: write these in kana in ja-easy: {sorted(unexpected)}"
        joined = "".join(easy)
        assert len("".join(KANJI.findall(joined))) < 0.1 * len(joined), p.id
        spaced = [text for text in easy if len(text) > 12]
        assert all(" " in text for text in spaced), f"{p.id}: separate phrases with spaces (分かち書き)"


def test_readings_are_kana_for_both_japanese_screens(procedures):
    """A reading replaces the spoken screen; a missing ja-easy one would fall back to the ja reading."""
    for p in procedures.values():
        for s in p.steps:
            if s.reading is None:
                continue
            assert set(s.reading.root) == {"ja", "ja-easy"}, f"{p.id}/{s.id}: give ja and ja-easy readings"
            for text in s.reading.root.values():
                assert not KANJI.search(text), f"{p.id}/{s.id}: a reading is kana only"


def test_every_icon_and_picture_exists_as_a_small_640x480_png(procedures):
    wanted = {p.icon for p in procedures.values()} | {s.picture for p in procedures.values() for s in p.steps}
    assert None not in {p.icon for p in procedures.values()}, "every procedure has an icon"
    for name in sorted(wanted - {None}):
        path = picture_path(name, PICTURES)
        assert path.is_file(), f"missing picture {name}"
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (640, 480), name
        assert path.stat().st_size < 40_000, f"{name} is too large for a kiosk picture"


def test_pictures_are_what_the_script_draws(tmp_path):
    """No copied or hand-edited images: every PNG is redrawn by draw.py (pixels compared, so a newer Pillow whose
    encoder or resampler differs by a few levels still passes; the same Pillow reproduces the bytes exactly)."""
    draw = _load_draw_script()
    written = {p.name: p for p in draw.render(tmp_path)}
    shipped = {p.name: p for p in PICTURES.glob("*.png")}
    assert set(written) == set(shipped)
    changed = []
    for name, path in sorted(written.items()):
        with Image.open(path) as new, Image.open(shipped[name]) as old:
            diff = ImageChops.difference(new.convert("RGB"), old.convert("RGB"))
            if max(ImageStat.Stat(diff).mean) > 2.0:
                changed.append(name)
    assert not changed, f"run `python content/pictures/draw.py`; out of date: {changed}"


def _luminance(rgb: tuple[int, ...]) -> float:
    channels = [c / 255 for c in rgb[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_pictures_are_high_contrast():
    """Thick dark outlines on a pale background: the commonest colour against the 1st-percentile luminance
    (the darkest 1 % of pixels, i.e. the outlines) reaches at least 7:1."""
    for path in sorted(PICTURES.glob("*.png")):
        with Image.open(path) as image:
            colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        total = sum(n for n, _ in colours)
        background = max(colours)[1]
        seen, dark = 0, background
        for n, colour in sorted(colours, key=lambda nc: _luminance(nc[1])):
            seen, dark = seen + n, colour
            if seen >= total / 100:
                break
        ratio = (_luminance(background) + 0.05) / (_luminance(dark) + 0.05)
        assert ratio >= 7, f"{path.name}: outline contrast {ratio:.1f}:1"


def test_every_drawn_picture_is_used(procedures):
    used = {p.icon for p in procedures.values()} | {s.picture for p in procedures.values() for s in p.steps}
    unused = sorted({p.name for p in PICTURES.glob("*.png")} - used)
    assert not unused, f"pictures no procedure uses: {unused}"


def test_real_procedures_cite_an_official_page_checked_on_a_date(procedures):
    for p in procedures.values():
        if p.category == "practice":
            assert p.source is None and all(s.where in ("kiosk", "counter") for s in p.steps)
            continue
        assert p.source is not None, p.id
        assert p.source.url.scheme == "https", p.id
        host = p.source.url.host or ""
        assert OFFICIAL_HOST.search(host) or host in MUNICIPAL_SITES, f"{p.id}: {host} is not a public body's site"
        assert p.source.checked.year >= 2026 and p.source.title.strip()


def _longest_walk(p: Procedure) -> int:
    """Screens on the longest way from the first step to an end (the walk tests prove there are no loops)."""
    by_id = {s.id: s for s in p.steps}

    def longest(step_id: str, seen: frozenset[str]) -> int:
        targets = [t for t in by_id[step_id].targets() if t not in seen]
        return 1 + max((longest(t, seen | {t}) for t in targets), default=0)

    return longest(p.first_step, frozenset({p.first_step}))


def test_shape_of_each_procedure(procedures):
    """Branches for every way a resident can get stuck add steps; no single way through grows past 16 screens."""
    for p in procedures.values():
        assert 5 <= len(p.steps) <= 24, f"{p.id} has {len(p.steps)} steps"
        assert _longest_walk(p) <= 16, f"{p.id}: the longest way through has {_longest_walk(p)} screens"
        assert p.steps[0].where == "kiosk", f"{p.id} must start on the kiosk screen"
        assert any(s.end and s.end.kind == "done" for s in p.steps), f"{p.id} has no successful end"
        assert p.category == "practice" or any(s.end and s.end.kind == "counter" for s in p.steps), p.id
        for s in p.steps:
            assert len(s.title.get("ja")) <= 16, f"{p.id}/{s.id}: ja title too long"
            assert len(s.instruction.get("ja")) <= 60, f"{p.id}/{s.id}: ja instruction too long"
            if s.question:
                assert 2 <= len(s.question.choices) <= 3


def test_questions_branch_to_distinct_places_where_it_matters(procedures):
    """A question whose every answer leads to the same step is not a real branch (practice may ask freely)."""
    for p in procedures.values():
        for s in p.steps:
            if s.question and p.category != "practice":
                assert len({c.next for c in s.question.choices}) >= 2, f"{p.id}/{s.id}"


def test_pins_are_only_typed_off_the_kiosk_and_shielded(procedures):
    for p in procedures.values():
        for s in p.steps:
            if s.where == "kiosk" or not PIN_WORDS.search(s.instruction.get("en")):
                continue
            if re.search(r"\btype\b", s.instruction.get("en"), re.I):
                assert s.caution is not None, f"{p.id}/{s.id}: tell the resident to shield the PIN"
                assert re.search(r"shield", s.caution.get("en"), re.I), f"{p.id}/{s.id}"
    for pid in ("konbini-juminhyo", "mynaportal-login"):
        pin_steps = [s for s in procedures[pid].steps if s.caution and "Shield" in s.caution.get("en")]
        assert pin_steps, f"{pid} must have a shielded PIN step"
        assert {s.where for s in pin_steps} <= {"convenience-store", "phone"}


def test_site_details_are_settings_not_inventions(procedures):
    for pid in ("facility-reservation", "library-reservation"):
        urls = [s.qr.url for s in procedures[pid].steps if s.qr]
        assert urls and all(SITE_PLACEHOLDER.fullmatch(u) for u in urls), pid
    for p in procedures.values():
        declared = {s.name for s in p.site_settings}
        for where, text in texts(p):
            for value in text.root.values():
                for name in SITE_PLACEHOLDER.findall(value):
                    assert name in declared, f"{p.id}: {where} uses undeclared {{site.{name}}}"


def test_step_sources_are_public_bodies_pages_checked_on_a_date(procedures):
    """A fact about a public procedure is backed by the page of a public body (国, J-LIS, a municipality), never a
    news article or a blog. (スマホ教室 basics describe phones, not procedures: their sources are not held to this.)"""
    for p in procedures.values():
        if p.category in ("smartphone", "practice"):
            continue
        for step in p.steps:
            for source in step.sources:
                host = source.url.host or ""
                assert PUBLIC_BODY_HOST.search(host) or host in PUBLIC_BODY_SITES, f"{p.id}/{step.id}: {host}"
                assert source.title.strip() and source.checked.year >= 2026, f"{p.id}/{step.id}"
