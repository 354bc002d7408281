"""Turn a guide state into the complete screen, the words to speak, and the voice commands valid on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

from content.schema import SITE_PLACEHOLDER, Localized, Procedure, Step
from kiosk.guide import actions as a
from kiosk.guide import card_flow
from kiosk.guide.call import panel as call_panel
from kiosk.guide.effects import Block, Button, Card, Overlay, ScreenView
from kiosk.guide.state import GuideSettings, GuideState
from kiosk.guide.talk import answers_offered
from kiosk.guide.texts import ANSWER_PHRASES, READINGS, VOICE_PHRASES, ui
from yorisoi.vocabulary import HELP_REASONS, LANGUAGE_NAMES

YES_NO = {"yes": ("はい", "yes"), "no": ("いいえ", "no")}
CONTINUES_ELSEWHERE = frozenset({"convenience-store", "counter"})
"""A done end here means the resident goes on away from the kiosk: the end screen offers the steps to take along."""


class Views:
    """Rendering for one set of procedures and settings."""

    def __init__(
        self, procedures: Mapping[str, Procedure], steps: Mapping[str, Mapping[str, Step]], settings: GuideSettings
    ):
        self.procedures = procedures
        self.steps = steps
        self.settings = settings
        self._remaining = {pid: _steps_to_end(p) for pid, p in procedures.items()}
        self.render = lru_cache(maxsize=256)(self._render)

    def text(self, value: Localized, language: str) -> str:
        """A content text in a language with the site's settings filled in."""
        return SITE_PLACEHOLDER.sub(lambda m: self.settings.site_values.get(m.group(1), "—"), value.get(language))

    def _render(self, state: GuideState) -> ScreenView:
        screen = state.place.screen
        draw: Callable[[GuideState], ScreenView] = getattr(self, f"_{screen}")
        view = draw(state)
        view = replace(view, place=f"{screen}:{state.place.procedure_id or ''}:{state.place.step_id or ''}")
        if state.escalation and state.escalation.open and screen not in ("waiting", "help", "offer"):
            key = "banner.staff" if state.escalation.messages else "banner.waiting"
            view = replace(view, banner=ui(state.language, key))
        elif state.checked_in and screen in ("step", "offer"):
            view = replace(view, banner=self.check_in(state.language))
        if state.warning_left_s is not None:
            view = replace(view, overlay=self._overlay(state))
        if state.pointer:
            view = replace(view, pointer=state.pointer)
        if state.call is not None:
            view = replace(view, call=call_panel(state))
            if state.call.status != "ringing":
                view = replace(view, banner=ui(state.language, "call.banner"))
        elif state.call_note:
            view = replace(view, banner=ui(state.language, f"call.note.{state.call_note}"))
        return view

    def check_in(self, language: str) -> str:
        """The calm words for a resident who has been busy away from the screen for a while."""
        return ui(language, "check-in")

    def _base(self, state: GuideState, screen: str, title: str, **fields: Any) -> ScreenView:
        return ScreenView(
            screen=screen,
            language=state.language,
            text_size=state.text_size,
            title=title,
            bar=self._bar(state),
            **fields,
        )

    def _bar(self, state: GuideState) -> tuple[Button, ...]:
        lang = state.language
        size_button = Button("size", ui(lang, "size"), a.CycleTextSize(), "bar")
        languages = self.settings.languages
        following = languages[(languages.index(state.language) + 1) % len(languages)]
        language_button = Button("language", LANGUAGE_NAMES[following], a.SetLanguage(following), "bar")
        voice_button = Button("voice", ui(lang, "voice"), a.OpenVoiceSettings(), "bar")
        if not state.in_session:
            return (size_button, language_button)
        return (
            Button("back", ui(lang, "back"), a.Back(), "bar"),
            Button("repeat", ui(lang, "repeat"), a.Repeat(), "bar"),
            Button("help", ui(lang, "help"), a.AskHelp(), "help"),
            size_button,
            voice_button,
            language_button,
        )

    def _voice(self, state: GuideState) -> ScreenView:
        lang = state.language
        speed = f"{ui(lang, 'speed')}: {ui(lang, f'speed.{state.speech_rate}')}"
        volume = f"{ui(lang, 'volume')}: {ui(lang, f'volume.{state.volume}')}"
        buttons = (
            Button("speed", speed, a.CycleSpeechRate(), "choice"),
            Button("volume", volume, a.CycleVolume(), "choice"),
            Button("done", ui(lang, "voice.done"), a.Back(), "primary"),
        )
        blocks = (Block("instruction", ui(lang, "voice.text")),)
        return self._base(state, "voice", ui(lang, "voice.title"), blocks=blocks, buttons=buttons)

    def _start(self, state: GuideState) -> ScreenView:
        lang = state.language
        minutes = max(1, round(self.settings.idle_warning_s / 60))
        blocks = (Block("instruction", ui(lang, "start.body")), Block("info", ui(lang, "start.wait", minutes=minutes)))
        begin = Button("begin", ui(lang, "start.title"), a.Begin(""), "primary")
        buttons = (begin, *card_flow.start_buttons(state))
        return self._base(state, "start", ui(lang, "start.title"), blocks=blocks, buttons=buttons)

    def _catalog(self, state: GuideState) -> ScreenView:
        lang, size, page = state.language, self.settings.page_size, state.place.page
        ordered = sorted(self.procedures.values(), key=lambda p: (p.category == "practice", p.category))
        shown = ordered[page * size : (page + 1) * size]
        cards = tuple(
            Card(p.id, self.text(p.title, lang), p.category, p.icon, p.minutes, a.StartProcedure(p.id)) for p in shown
        )
        buttons: list[Button] = []
        if page > 0:
            buttons.append(Button("prev-page", ui(lang, "catalog.prev"), a.ShowPage(page - 1), "secondary"))
        if (page + 1) * size < len(ordered):
            buttons.append(Button("next-page", ui(lang, "catalog.more"), a.ShowPage(page + 1), "secondary"))
        return self._base(state, "catalog", ui(lang, "catalog.title"), cards=cards, buttons=tuple(buttons))

    def _before(self, state: GuideState) -> ScreenView:
        lang = state.language
        p = self.procedures[state.place.procedure_id or ""]
        needs = "\n".join(f"・{self.text(n.label, lang)}" for n in p.needs)
        blocks = [Block("instruction", self.text(p.summary, lang))]
        if needs:
            blocks.append(Block("needs", f"{ui(lang, 'before.bring')}\n{needs}"))
        blocks.append(Block("info", ui(lang, "before.time", minutes=p.minutes)))
        buttons = [Button("next", ui(lang, "before.ok"), a.Next(), "primary")]
        if p.needs:
            buttons.append(Button("missing", ui(lang, "before.missing"), a.MissingNeeds(), "secondary"))
        return self._base(
            state, "before", self.text(p.title, lang), blocks=tuple(blocks), buttons=tuple(buttons), picture=p.icon
        )

    def _missing(self, state: GuideState) -> ScreenView:
        lang = state.language
        p = self.procedures[state.place.procedure_id or ""]
        blocks = tuple(
            Block("instruction", f"{self.text(n.label, lang)}: {self.text(n.if_missing, lang)}") for n in p.needs
        )
        home = Button("home", ui(lang, "home"), a.GoHome(), "primary")
        return self._base(state, "missing", ui(lang, "missing.title"), blocks=blocks, buttons=(home,))

    def _step(self, state: GuideState) -> ScreenView:
        lang = state.language
        pid, sid = state.place.procedure_id or "", state.place.step_id or ""
        step = self.steps[pid][sid]
        blocks = [Block("instruction", self.text(step.instruction, lang))]
        if step.caution:
            blocks.append(Block("caution", self.text(step.caution, lang)))
        buttons: list[Button] = []
        screen = "step"
        if step.question:
            blocks.append(Block("question", self.text(step.question.text, lang)))
            buttons = [
                Button(f"choice-{c.id}", self.text(c.label, lang), a.Choose(c.id), "choice")
                for c in step.question.choices
            ]
        elif step.next:
            buttons = [Button("next", ui(lang, "next"), a.Next(), "primary")]
            if card_flow.offers_on_step(state, step.where):
                buttons.insert(0, card_flow.offer_button(state, "offer.short"))
        elif step.end:
            screen = "done" if step.end.kind == "done" else "counter"
            blocks.append(Block("message", self.text(step.end.message, lang)))
            if step.end.next_steps:
                blocks.append(Block("info", self.text(step.end.next_steps, lang)))
            outcome = "completed" if step.end.kind == "done" else "counter"
            buttons = [Button("finish", ui(lang, "finish"), a.EndSession(outcome), "primary")]
        if step.offer_help:  # a dead end the resident cannot fix alone: the human is on the screen, not only the bar
            buttons.append(Button("offer-help", ui(lang, "help"), a.AskHelp(), "choice"))
        qr_url, qr_label = self._qr(step, pid, lang)
        if qr_url and step.end and not step.qr and step.where in CONTINUES_ELSEWHERE:
            blocks.append(Block("info", ui(lang, "handout.take")))  # the rest happens away: take the steps home
        done_steps = sum(1 for p in state.history if p.screen == "step" and p.procedure_id == pid)
        index = done_steps + 1
        total = index + self._remaining[pid][sid]
        return self._base(
            state,
            screen,
            self.text(step.title, lang),
            blocks=tuple(blocks),
            buttons=tuple(buttons),
            picture=step.picture,
            qr_url=qr_url,
            qr_label=qr_label,
            progress=ui(lang, "progress", index=index, total=total),
        )

    def _qr(self, step: Step, pid: str, lang: str) -> tuple[str | None, str | None]:
        if step.qr:
            url = SITE_PLACEHOLDER.sub(lambda m: self.settings.site_values.get(m.group(1), ""), step.qr.url)
            return (url or None), self.text(step.qr.label, lang)
        if step.end and step.end.kind == "done" and self.settings.handout_url:
            return self.settings.handout_url.format(procedure=pid, language=lang), ui(lang, "handout.label")
        return None, None

    def _offer(self, state: GuideState) -> ScreenView:
        lang = state.language
        accept = Button("offer-accept", ui(lang, "offer.accept"), a.AskHelp(f"offer:{state.offer_signal}"), "choice")
        decline = Button("offer-decline", ui(lang, "offer.decline"), a.DeclineHelp(), "choice")
        blocks = (Block("instruction", ui(lang, "offer.text")),)
        return self._base(state, "offer", ui(lang, "offer.title"), blocks=blocks, buttons=(accept, decline))

    def _help(self, state: GuideState) -> ScreenView:
        lang = state.language
        buttons = tuple(Button(f"reason-{r}", ui(lang, f"help.{r}"), a.AskHelp(r), "choice") for r in HELP_REASONS)
        return self._base(state, "help", ui(lang, "help.title"), buttons=buttons)

    def _waiting(self, state: GuideState) -> ScreenView:
        lang, esc = state.language, state.escalation
        blocks: list[Block] = []
        if esc is not None:
            blocks.append(Block("info", self._waiting_status(state)))
            blocks += [Block("staff", f"{ui(lang, 'staff.says')}: {m}") for m in esc.messages]
            if esc.question is not None:
                blocks.append(Block("question", ui(lang, "answer.question")))
            elif esc.answered:
                blocks.append(Block("info", ui(lang, "answer.sent", answer=ui(lang, f"answer.{esc.answered}"))))
            if esc.status == "unreachable" or (
                esc.status in ("sending", "waiting") and esc.waited_s >= self.settings.help_fallback_after_s
            ):
                blocks.append(Block("caution", self._fallback(lang)))
        answers = tuple(
            Button(f"answer-{code}", ui(lang, f"answer.{code}"), a.Answer(code), "choice")
            for code in answers_offered(state)
        )
        back = Button("return", ui(lang, "waiting.return"), a.ReturnToProcedure(), "primary")
        # with four answers the bar's もどる (the same way back) stands in for 手続きにもどる: one row, no crowding;
        # the card check is offered while nobody has answered yet (never a fourth choice beside answers)
        if not answers:
            buttons: tuple[Button, ...] = (*card_flow.waiting_button(state), back)
        else:
            buttons = answers if len(answers) > 3 else (*answers, back)
        return self._base(state, "waiting", ui(lang, "waiting.title"), blocks=tuple(blocks), buttons=buttons)

    def _waiting_status(self, state: GuideState) -> str:
        lang, esc = state.language, state.escalation
        assert esc is not None
        if esc.status in ("claimed", "coming", "resolved", "unreachable"):
            return ui(lang, f"waiting.{esc.status}")
        parts = [ui(lang, "waiting.sending")]
        if esc.position is not None:
            parts.append(
                ui(lang, "waiting.next") if esc.position <= 1 else ui(lang, "waiting.position", ahead=esc.position - 1)
            )
        if esc.wait_s:
            parts.append(ui(lang, "waiting.wait", minutes=max(1, round(esc.wait_s / 60))))
        return "\n".join(parts)

    def _fallback(self, lang: str) -> str:
        counter = self.settings.counter_name.get(lang) or self.settings.counter_name.get("ja", "")
        return ui(lang, "waiting.fallback", counter=counter, phone=self.settings.fallback_phone or "—")

    def _card(self, state: GuideState) -> ScreenView:
        return card_flow.card_view(self, state)

    def _overlay(self, state: GuideState) -> Overlay:
        lang = state.language
        seconds = max(0, round(state.warning_left_s or 0))
        button = Button("continue", ui(lang, "timeout.continue"), a.ExtendTime(), "primary")
        return Overlay(ui(lang, "timeout.title"), ui(lang, "timeout.text", seconds=seconds), seconds, button)

    def speech(self, state: GuideState) -> tuple[str, str | None]:
        """What to say for the current screen, and a kana reading when content gives one."""
        view = self.render(replace(state, warning_left_s=None))
        parts = [view.title, *(b.text for b in view.blocks)]
        parts += [b.label for b in view.buttons if b.role == "choice"]
        text = "。".join(p.rstrip("。") for p in parts if p)
        reading = None
        if state.place.screen == "step" and state.language != "en":
            step = self.steps[state.place.procedure_id or ""][state.place.step_id or ""]
            if step.reading:
                reading = step.reading.get(state.language)
        for word, kana in READINGS.items():
            if reading is None and word in text and state.language == "ja":
                reading = text.replace(word, kana)
        return text, reading

    def commands(self, state: GuideState, view: ScreenView) -> tuple[dict[str, tuple[str, ...]], dict[str, a.Action]]:
        """Voice commands valid on this screen: the fixed ones plus every on-screen button's label."""
        phrases: dict[str, tuple[str, ...]] = {}
        actions: dict[str, a.Action] = {}
        fixed = VOICE_PHRASES.get(state.language, VOICE_PHRASES["ja"])
        fixed_actions = {"back": a.Back(), "repeat": a.Repeat(), "help": a.AskHelp()}
        if any(b.id == "next" for b in view.buttons):
            fixed_actions["next"] = a.Next()
        for command, action in fixed_actions.items():
            phrases[command], actions[command] = fixed[command], action
        for button in view.buttons:
            if button.role == "choice":
                words = [button.label.lower()]
                for key, synonyms in YES_NO.items():
                    if button.id.endswith(f"-{key}"):
                        words += synonyms
                if button.id.startswith("answer-"):
                    spoken = ANSWER_PHRASES.get(state.language, ANSWER_PHRASES["ja"])
                    words += spoken.get(button.id.removeprefix("answer-"), ())
                phrases[button.id] = tuple(dict.fromkeys(words))
                actions[button.id] = button.action
        return phrases, actions


def _steps_to_end(procedure: Procedure) -> dict[str, int]:
    """Fewest further steps from each step to an end (for 「3 / 7」 progress on branching procedures)."""
    by_id = {s.id: s for s in procedure.steps}
    remaining = {s.id: 0 for s in procedure.steps if s.end}
    for _ in range(len(by_id)):
        for s in procedure.steps:
            options = [remaining[t] + 1 for t in s.targets() if t in remaining]
            if options and (s.id not in remaining or min(options) < remaining[s.id]):
                remaining[s.id] = min(options)
    return {sid: remaining.get(sid, 0) for sid in by_id}
