"""Push-to-talk voice commands with vosk in grammar mode; weak or out-of-grammar matches are refused.

The model loads once (seconds, hundreds of MB) and is shared; each listen() builds a small recognizer for
the commands valid on the current screen. Never downloads a model: only an explicit folder is used.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voice.audio import SAMPLE_RATE, AudioSource, Endpointer, MicrophoneSource
from voice.null import NullListener
from voice.types import (
    DISABLED,
    MODEL_MISSING,
    NOT_UNDERSTOOD,
    RECOGNIZER_UNAVAILABLE,
    AudioInputError,
    ModelError,
    ModelInvalid,
    Recognition,
    RecognizerUnavailable,
    VoiceError,
    VoiceStatus,
)

log = logging.getLogger(__name__)

# Confidence is the lattice-score margin between the best and the second-best hypothesis, scaled so that a margin
# of FULL_MARGIN counts as 1.0 (no competitor at all is 1.0 too). Word confidences from SetWords(True) were 1.0
# when espeak-ng "다음" was forced onto {네, 아니요} as "아니요" (15 of 21 dithered copies), so they cannot refuse
# out-of-grammar speech; the margin was 0.2–1.0 for those and no competitor at all for real 네/아니요.
# vosk's lattice scores vary by a few points between identical runs, so a borderline real word is sometimes
# refused (the resident is asked again) — the safe direction.
FULL_MARGIN = 10.0
MIN_CONFIDENCE = 0.5
ALTERNATIVES = 3
UNKNOWN_WORD = "[unk]"
MODEL_FILES = ("am/final.mdl", "conf/model.conf")


@dataclass(frozen=True)
class Timing:
    """Where the time of one listen() went, for the benchmark."""

    audio_s: float = 0.0
    processing_s: float = 0.0
    decision_after_audio_s: float = 0.0
    processing_cpu_s: float = 0.0  # CPU time of this process while recognising: not inflated by a busy machine


def load_model(path: str | Path) -> Any:
    """Load a vosk model folder; ModelError with code model-missing or model-invalid."""
    folder = Path(path)
    if not folder.is_dir():
        raise ModelError(f"no vosk model folder at {folder}")
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelInvalid(f"{folder} is not a vosk model (missing {', '.join(missing)})")
    try:
        import vosk
    except ImportError as exc:
        raise RecognizerUnavailable(f"vosk is not installed: {exc}") from exc
    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(model_path=str(folder))
    except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
        raise ModelInvalid(f"vosk could not load {folder}: {exc}") from exc


def phrase_table(grammar: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Map each spoken phrase (spaces removed) to its command; ValueError if one phrase means two commands."""
    table: dict[str, str] = {}
    for command, phrases in grammar.items():
        for phrase in phrases:
            key = _key(phrase)
            if not key:
                continue
            if table.get(key, command) != command:
                raise ValueError(f"phrase {phrase!r} belongs to both {table[key]!r} and {command!r}")
            table[key] = command
    return table


def _key(text: str) -> str:
    return "".join(text.split()).lower()


@dataclass
class VoskListener:
    """Listener over a loaded vosk model and an audio source (microphone, or a WAV in tests)."""

    model: Any
    source: AudioSource = field(default_factory=MicrophoneSource)
    min_confidence: float = MIN_CONFIDENCE
    # Words of the model's language that are never commands. They compete with the grammar so that speech
    # outside it has somewhere else to go; needed when the model has no [unk] and a screen has one command.
    fillers: Sequence[str] = ()
    endpointer: Callable[[], Endpointer] = Endpointer
    last_timing: Timing = field(default_factory=Timing)

    def listen(self, grammar: Mapping[str, Sequence[str]], *, lang: str = "ja", timeout_s: float = 5.0) -> Recognition:
        """Listen once; the command only when the whole utterance is one phrase heard confidently.

        `lang` is part of the protocol; the loaded model decides the language actually recognised.
        """
        table = phrase_table(grammar)
        if not table:
            return NOT_UNDERSTOOD
        try:
            phrases = sorted({" ".join(p.split()) for ps in grammar.values() for p in ps if p.strip()})
            segments = self._recognize(phrases, timeout_s)
        except AudioInputError as exc:
            log.warning("voice input failed (%s): %s", exc.code, exc)
            return NOT_UNDERSTOOD
        return decide(segments, table, self.min_confidence)

    def status(self) -> VoiceStatus:
        """Available when the audio source is."""
        return self.source.probe()

    def _recognize(self, phrases: list[str], timeout_s: float) -> list[Hypotheses]:
        import vosk

        extra = [f for f in self.fillers if _key(f) not in {_key(p) for p in phrases}]
        if self.model.vosk_model_find_word(UNKNOWN_WORD) >= 0:
            extra.append(UNKNOWN_WORD)  # lets the model say "none of these"
        phrases = [*phrases, *extra]
        recognizer = vosk.KaldiRecognizer(self.model, SAMPLE_RATE, json.dumps(phrases, ensure_ascii=False))
        recognizer.SetMaxAlternatives(ALTERNATIVES)
        endpoint = self.endpointer()
        segments: list[Hypotheses] = []
        audio_s = busy_s = cpu_s = 0.0
        for chunk in self.source.chunks(timeout_s):
            audio_s += len(chunk) / 2 / SAMPLE_RATE
            began, began_cpu = time.perf_counter(), time.process_time()
            if recognizer.AcceptWaveform(chunk):
                segments.append(_hypotheses(recognizer.Result()))
            busy_s += time.perf_counter() - began
            cpu_s += time.process_time() - began_cpu
            if endpoint.feed(chunk):
                break
        began, began_cpu = time.perf_counter(), time.process_time()
        segments.append(_hypotheses(recognizer.FinalResult()))
        final_s = time.perf_counter() - began
        cpu_s += time.process_time() - began_cpu
        self.last_timing = Timing(audio_s, busy_s + final_s, final_s, cpu_s)
        return [segment for segment in segments if segment and segment[0][0]]

    def unknown_words(self, grammar: Mapping[str, Sequence[str]]) -> list[str]:
        """Words of the grammar that the model cannot recognise (vosk silently drops them)."""
        words = {w for phrases in grammar.values() for p in phrases for w in p.split()}
        return sorted(w for w in words if self.model.vosk_model_find_word(w) < 0)


Hypotheses = list[tuple[str, float]]  # (text, lattice score), best first


def _hypotheses(result_json: str) -> Hypotheses:
    result = json.loads(result_json)
    if "alternatives" in result:
        return [(str(a.get("text", "")), float(a.get("confidence", 0.0))) for a in result["alternatives"]]
    return [(str(result.get("text", "")), 0.0)]


def margin_confidence(hypotheses: Hypotheses) -> float:
    """0..1 from the score margin between the best and the runner-up hypothesis (1.0 when unopposed)."""
    if len(hypotheses) < 2:
        return 1.0
    return max(0.0, min(1.0, (hypotheses[0][1] - hypotheses[1][1]) / FULL_MARGIN))


def decide(segments: list[Hypotheses], table: Mapping[str, str], min_confidence: float) -> Recognition:
    """Anything but exactly one utterance that is exactly one phrase, heard with a clear margin, is not understood."""
    if not segments:
        return NOT_UNDERSTOOD
    heard = " ".join(segment[0][0] for segment in segments)
    confidence = min(margin_confidence(segment) for segment in segments)
    command = table.get(_key(heard)) if len(segments) == 1 and UNKNOWN_WORD not in heard else None
    if command is None or confidence < min_confidence:
        return Recognition(command=None, confidence=confidence, heard=heard)
    return Recognition(command=command, confidence=confidence, heard=heard)


def create_listener(
    *,
    model_path: str | Path | None = None,
    enabled: bool = True,
    source: AudioSource | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    fillers: Sequence[str] = (),
) -> VoskListener | NullListener:
    """A vosk listener, or a NullListener whose status says why not; never raises, never downloads.

    The model folder is `model_path`, else $VOSK_MODEL_PATH; `source` defaults to the microphone.
    """
    if not enabled:
        return NullListener(DISABLED, "voice input is switched off")
    source = source or MicrophoneSource()
    audio = source.probe()
    if not audio.available:
        return NullListener(audio.reason or RECOGNIZER_UNAVAILABLE, audio.detail)
    folder = model_path or os.environ.get("VOSK_MODEL_PATH")
    if not folder:
        return NullListener(MODEL_MISSING, "no model folder configured (model_path or VOSK_MODEL_PATH)")
    try:
        model = load_model(folder)
    except VoiceError as exc:
        return NullListener(exc.code, str(exc))
    return VoskListener(model, source, min_confidence, tuple(fillers))
