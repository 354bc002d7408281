"""A small branching procedure for engine tests (shipped content is walked separately)."""

from __future__ import annotations

from content.loader import parse_yaml
from content.schema import Procedure

SAMPLE = """
id: sample
category: certificates
title: {ja: 見本の手続き, ja-easy: みほん, en: Sample}
summary: {ja: 見本です, ja-easy: みほん です, en: A sample}
minutes: 5
needs:
  - id: card
    label: {ja: マイナンバーカード, ja-easy: マイナンバーカード, en: My Number Card}
    if_missing: {ja: 窓口で相談してください, ja-easy: まどぐちで きいて ください, en: Ask at the counter}
source: {url: "https://www.digital.go.jp/", title: デジタル庁, checked: 2026-11-20}
site_settings:
  - {name: counter_hours, description: 窓口の時間}
steps:
  - id: one
    where: kiosk
    title: {ja: 一つ目, ja-easy: ひとつめ, en: First}
    instruction: {ja: つぎへを押してください, ja-easy: つぎへ を おして, en: Press next}
    next: two
  - id: two
    where: phone
    title: {ja: 二つ目, ja-easy: ふたつめ, en: Second}
    instruction: {ja: カードはありますか, ja-easy: カードは ありますか, en: "Do you have the card?"}
    question:
      text: {ja: カードはありますか, ja-easy: カードは ありますか, en: "Card?"}
      choices:
        - {id: yes, label: {ja: はい, ja-easy: はい, en: "Yes"}, next: three}
        - {id: no, label: {ja: いいえ, ja-easy: いいえ, en: "No"}, next: counter}
  - id: three
    where: phone
    title: {ja: 三つ目, ja-easy: みっつめ, en: Third}
    instruction: {ja: スマホで開いてください, ja-easy: スマホで ひらいて, en: Open on your phone}
    qr: {url: "https://www.digital.go.jp/", label: {ja: スマホで読む, ja-easy: スマホで よむ, en: Scan}}
    next: done
  - id: done
    where: kiosk
    title: {ja: おわり, ja-easy: おわり, en: Done}
    instruction: {ja: できました, ja-easy: できました, en: Finished}
    end: {kind: done, message: {ja: おつかれさまでした, ja-easy: おつかれさま, en: Well done}}
  - id: counter
    where: counter
    title: {ja: 窓口へ, ja-easy: まどぐちへ, en: Counter}
    instruction: {ja: "窓口は{site.counter_hours}です", ja-easy: "まどぐちは {site.counter_hours}", en: "Counter hours: {site.counter_hours}"}
    end: {kind: counter, message: {ja: カードが要ります, ja-easy: カードが いります, en: You need the card}}
"""


def sample_procedure() -> Procedure:
    """The sample procedure, validated."""
    return Procedure.model_validate(parse_yaml(SAMPLE))
