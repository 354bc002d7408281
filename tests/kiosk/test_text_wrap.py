"""Phrase-boundary wrapping: Japanese breaks between BudouX phrases, Latin between words, never mid-word."""

from __future__ import annotations

import pytest

from kiosk.ui.text import fit, measure, phrases, wrap


@pytest.fixture(scope="module")
def m(window):
    from kiosk.fonts import find_japanese_font, register_default_font

    register_default_font(find_japanese_font())
    return measure(40)


def test_phrases_keep_words_whole():
    assert phrases("マイナンバーカードを読み取り機に置きます") == ("マイナンバーカードを", "読み取り機に", "置きます")
    assert phrases("Touch the screen") == ("Touch ", "the ", "screen")


@pytest.mark.parametrize(
    "text",
    [
        "マイナンバーカードを、コンビニのマルチコピー機の読み取り口に置いて、画面の案内どおりに進みます。",
        "Put your My Number Card on the reader of the multi-copy machine and follow the screen.",
        "かぞくに とってもらうと、 きれいに とれます。",
    ],
)
@pytest.mark.parametrize("width", [480, 700, 1100])
def test_lines_fit_and_break_only_between_phrases(m, text, width):
    assert max(m.width(p.strip()) for p in phrases(text)) <= width  # every phrase fits a line on its own
    lines = wrap(text, width, m)
    assert len(lines) > 1 or width > 1000
    assert all(m.width(line) <= width for line in lines)
    pieces = [p.strip() for p in phrases(text)]
    for line in lines:  # every line is a run of whole phrases
        rebuilt = ""
        for piece in pieces:
            if line.replace(" ", "").startswith((rebuilt + piece).replace(" ", "")):
                rebuilt += piece
        assert rebuilt.replace(" ", "") == line.replace(" ", ""), line
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_a_phrase_wider_than_the_line_is_split_by_character(m):
    lines = wrap("マイナンバーカード", 100, m)
    assert len(lines) > 1 and all(m.width(line) <= 100 for line in lines)


def test_fit_shrinks_only_when_the_box_is_too_small(m):
    text = "画面にさわってください"
    assert fit(text, 1000, 200, 40, 20)[1] == 40
    _wrapped, px = fit(text * 4, 400, 120, 40, 20)
    assert 20 <= px < 40
