"""The translation lint: ja-easy and en may use easier words, never say less than ja."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from content.faithful import dropped, numbers
from content.lint import check
from content.loader import PACKAGED

TRANSLATIONS = Path(__file__).parent / "broken" / "translations"


@pytest.fixture(scope="module")
def found():
    problems = check(TRANSLATIONS, pictures=PACKAGED / "pictures", today=dt.date(2026, 12, 2))
    return [p for p in problems if p.code == "translation-drops"]


def where(found, file):
    return {p.where for p in found if p.file == file}


def test_each_unfaithful_translation_found_in_issue_17_is_reported(found):
    assert where(found, "unfaithful.yaml") == {
        "summary (en)",  # 転入 at the counter dropped
        "needs 'mynumber-card' → label (ja-easy)",  # a valid certificate became "the card has not expired"
        "needs 'mynumber-card' → if_missing (ja-easy)",  # the コンビニ alternative lost
        "step 'photo' → instruction (ja-easy)",  # 無地 became "a white wall"
        "step 'changes' → title (ja-easy)",  # the name change dropped
        "step 'changes' → instruction (en)",  # "three" dropped
        "step 'changes' → question → text (ja-easy)",  # the tax type dropped
        "step 'end' → instruction (ja-easy)",  # 14 days became "two weeks", the date lost
        "step 'end' → instruction (en)",
        "step 'end' → end → next_steps (ja-easy)",  # 本人確認書類 narrowed to a driving licence
        "step 'end' → end → next_steps (en)",
    }


def test_the_message_names_what_is_missing(found):
    [dates] = [p for p in found if p.file == "unfaithful.yaml" and p.where == "step 'end' → instruction (en)"]
    assert all(f"the number {n}" in dates.message for n in ("14", "8", "7", "31"))
    assert dates.severity == "error"


def test_the_same_texts_said_faithfully_in_easier_words_pass(found):
    assert where(found, "faithful.yaml") == set()


def test_numbers_are_numbers_in_any_spelling():
    assert numbers("令和８年７月31日、3回", "ja") == ["8", "7", "31", "3"]
    assert sorted(numbers("Three tries, by 31 July; you may go", "en")) == ["3", "31", "7"]
    assert numbers("{site.fee_2024} 200円", "ja") == ["200"]  # a site setting is the same in every language
    assert dropped("3回まちがえる", "3かい まちがえる", "ja-easy") == []
    assert dropped("4桁を2つ", "4けたを 1つ", "ja-easy") == ["the number 2"]


def test_a_number_said_twice_in_ja_must_be_there_twice():
    assert dropped("4桁のものが2つ、4桁の番号", "4けたの ものが 2つ", "ja-easy") == ["the number 4"]


def test_the_shipped_content_says_the_same_in_every_language():
    problems = [p for p in check(PACKAGED / "procedures") if p.code == "translation-drops"]
    assert not problems, "\n".join(map(str, problems))
