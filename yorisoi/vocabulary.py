"""Yorisoi's shared vocabulary: the codes every room uses for languages, text sizes, help reasons and session
events, with the words a trainer reads for them. Defined once, here; the wire contract, content, the guide engine,
the kiosk and the analytics import them. Standard library only, so every room may import it.
"""

from __future__ import annotations

from typing import Literal, get_args

Language = Literal["ja", "ja-easy", "en"]
"""日本語, やさしい日本語, English: the languages every procedure has."""
LANGUAGES: tuple[Language, ...] = get_args(Language)
LANGUAGE_NAMES: dict[str, str] = {"ja": "日本語", "ja-easy": "やさしい日本語", "en": "English"}
"""Each language in its own words (the kiosk's language button, the trainer pages)."""

TextSize = Literal["standard", "large", "largest"]
"""The kiosk's three text sizes, smallest first (標準 / 大きい / とても大きい)."""
TEXT_SIZES: tuple[TextSize, ...] = get_args(TextSize)

HelpReason = Literal["screen-unclear", "card-unreadable", "pin-forgotten", "other"]
"""Reasons a resident can choose from the help buttons."""
HELP_REASONS: tuple[HelpReason, ...] = get_args(HelpReason)
OFFER_PREFIX = "offer:"
"""`offer:<signal>`: the kiosk offered help on its own (e.g. `offer:idle-long`) and the resident accepted."""

SessionEnd = Literal["completed", "counter", "home", "timeout", "restart"]
"""How a session ended (the `session-end` event's outcome)."""
SESSION_ENDS: tuple[SessionEnd, ...] = get_args(SessionEnd)

# --- in the trainer's words (日本語): the analytics pages and the workshop kiosk both use them ---

SESSION_ACTION_NAMES: dict[str, str] = {
    "session-start": "開始",
    "procedure-start": "手続きを選んだ",
    "step-shown": "画面が出た",
    "back": "もどる",
    "repeat": "もういちど",
    "choice": "答えを選んだ",
    "needs-missing": "持ち物がない",
    "help-opened": "係の人を呼ぶ画面",
    "help-asked": "係の人を呼んだ",
    "staff-message": "係員から連絡",
    "staff-step": "係員が画面を送った",
    "helpdesk-unreachable": "ヘルプデスクにつながらない",
    "timeout-warning": "時間切れの予告",
    "idle-check-in": "ゆっくりでよいと声かけ",
    "timeout-extended": "つづける",
    "language": "言語を変えた",
    "text-size": "文字の大きさを変えた",
    "speech-rate": "話す速さを変えた",
    "voice-not-understood": "声が聞き取れなかった",
    "stuck-signal": "つまずきの気配",
    "help-offered": "手伝いを申し出た",
    "help-offer-accepted": "申し出を受けた",
    "help-offer-declined": "申し出を断った",
    "resident-answer": "係員に答えた",
    "staff-pointer": "係員が画面を指した",
    "call-offered": "係員から通話",
    "call-accepted": "通話に出た",
    "call-declined": "通話を断った",
    "call-ended": "通話が終わった",
    "card-check-opened": "カードの残り回数を調べる画面",
    "card-check": "カードの残り回数を調べた",
    "session-end": "終了",
}
"""Session event `action` codes a kiosk records, as a trainer reads them."""

SESSION_END_NAMES: dict[str, str] = {
    "completed": "最後まで完了",
    "counter": "窓口へ案内",
    "home": "途中でやめた",
    "timeout": "時間切れ",
    "restart": "再起動",
}
"""How a session ended (`session-end` outcome)."""

HELP_REASON_NAMES: dict[str, str] = {
    "screen-unclear": "画面がわからない",
    "card-unreadable": "カードが読めない",
    "pin-forgotten": "暗証番号を忘れた",
    "other": "その他",
}
"""Why the resident asked for help (`help-asked` outcome, escalation reason)."""

TEXT_SIZE_NAMES: dict[str, str] = {"standard": "標準", "large": "大きい", "largest": "とても大きい"}

SESSION_ACTIONS: tuple[str, ...] = tuple(SESSION_ACTION_NAMES)
"""Session event `action` codes a kiosk records."""
