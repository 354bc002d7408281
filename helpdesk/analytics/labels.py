"""Words and chart rows for the trainer pages (the trainer console speaks Japanese)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

REASON_NAMES = {
    "screen-unclear": "画面がわからない",
    "card-unreadable": "カードが読めない",
    "pin-forgotten": "暗証番号を忘れた",
    "other": "その他",
}
OUTCOME_NAMES = {
    "solved": "解決",
    "solved-in-person": "その場で解決",
    "referred-to-counter": "窓口へ案内",
    "not-solvable": "解決できず",
    "other": "その他",
}
SIZE_NAMES = {"standard": "標準", "large": "大きい", "largest": "とても大きい"}
LANGUAGE_NAMES = {"ja": "日本語", "ja-easy": "やさしい日本語", "en": "English"}
END_NAMES = {
    "completed": "完了",
    "counter": "窓口へ",
    "home": "はじめにもどった",
    "timeout": "時間切れ",
    "restart": "再起動",
}
ACTION_NAMES = {
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
    "timeout-extended": "つづける",
    "language": "言語を変えた",
    "text-size": "文字の大きさを変えた",
    "voice-not-understood": "声が聞き取れなかった",
    "stuck-signal": "つまずきの気配",
    "help-offered": "手伝いを申し出た",
    "help-offer-accepted": "申し出を受けた",
    "help-offer-declined": "申し出を断った",
    "session-end": "終了",
}


def funnel_rows(funnel, step_titles: Mapping[str, str]) -> list[tuple[str, float, str]]:  # type: ignore[no-untyped-def]
    """Chart rows for a funnel: step title, sessions that reached it, and the text beside the bar."""
    return [
        (
            step_titles.get(f"{funnel.procedure_id}/{s.step_id}", s.step_id),
            s.reached,
            f"{s.reached}(やめた {s.dropped})",
        )
        for s in funnel.steps
    ]


def share_rows(counts: Mapping[str, int], names: Mapping[str, str]) -> list[tuple[str, float, str]]:
    """Chart rows for counts by category, with their share."""
    total = sum(counts.values()) or 1
    return [(names.get(k, k), n, f"{n}({n / total:.0%})") for k, n in counts.items()]


def hour_rows(groups) -> dict[str, list[tuple[str, float]]]:  # type: ignore[no-untyped-def]
    """Per site, escalations by hour of day 0–23 (columns)."""
    per_site: dict[str, dict[int, int]] = defaultdict(dict)
    for g in groups:
        per_site[g.key[0]][int(g.key[1])] = g.count
    return {site: [(str(h), hours.get(h, 0)) for h in range(24)] for site, hours in sorted(per_site.items())}


def week_rows(weeks) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """Columns for weekly sessions, labelled by the Monday's month/day."""
    return [(f"{w.monday.month}/{w.monday.day}", w.sessions) for w, _change in weeks]


def named(counts: Mapping[str, int], names: Mapping[str, str]) -> dict[str, int]:
    """Counts with their categories' display names."""
    return {names.get(k, k): n for k, n in counts.items()}


def globals_for_templates() -> dict[str, object]:
    """Everything the templates call."""
    return {
        "funnel_rows": funnel_rows,
        "share_rows": share_rows,
        "hour_rows": hour_rows,
        "week_rows": week_rows,
        "named": named,
        "reason_names": REASON_NAMES,
        "outcome_names": OUTCOME_NAMES,
        "size_names": SIZE_NAMES,
        "language_names": LANGUAGE_NAMES,
        "end_names": END_NAMES,
        "action_names": ACTION_NAMES,
    }
