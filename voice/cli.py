"""`yorisoi voice check | say | listen`: see what speech can do on this machine and try it.

Import-light: engines are imported inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

LANGUAGES = ("ja", "en")


def register(subparsers: Any, name: str, help_text: str) -> None:
    """Add `yorisoi voice` and its subcommands."""
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    sub = parser.add_subparsers(dest="voice_command", metavar="ACTION", required=True)

    check = sub.add_parser("check", help="engines, voices, model, audio devices, a timed sample")
    check.add_argument("--model", help="vosk model folder (default: $VOSK_MODEL_PATH)")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(handler=run_check)

    say = sub.add_parser("say", help="speak TEXT, or write it to a WAV with --out")
    say.add_argument("text")
    say.add_argument("--lang", default="ja")
    say.add_argument("--reading", help="kana reading to speak instead of the text")
    say.add_argument("--rate", type=int, choices=(0, 1, 2), default=1, help="0 slow, 1 slower (default), 2 normal")
    say.add_argument("--out", type=Path, help="write a mono WAV here instead of playing")
    say.add_argument("--player", help="sounddevice, aplay, paplay, play or silent (default: first that works)")
    say.add_argument("--engine", help="with --out: openjtalk or espeak-ng instead of the chosen engine (to compare)")
    say.set_defaults(handler=run_say)

    listen = sub.add_parser("listen", help="listen once for one command of a grammar")
    listen.add_argument(
        "--grammar",
        action="append",
        required=True,
        metavar="COMMAND=PHRASE[|PHRASE]",
        help="repeat per command, e.g. --grammar yes=はい|ええ --grammar no=いいえ",
    )
    listen.add_argument("--wav", type=Path, help="16 kHz mono WAV instead of the microphone")
    listen.add_argument("--model", help="vosk model folder (default: $VOSK_MODEL_PATH)")
    listen.add_argument("--timeout", type=float, default=5.0)
    listen.add_argument(
        "--filler", action="append", default=[], help="a word that is never a command (competes with the grammar)"
    )
    listen.set_defaults(handler=run_listen)


def parse_grammar(items: list[str]) -> dict[str, list[str]]:
    """Turn ["yes=はい|ええ", "no=いいえ"] into {"yes": ["はい", "ええ"], "no": ["いいえ"]}."""
    grammar: dict[str, list[str]] = {}
    for item in items:
        command, sep, phrases = item.partition("=")
        if not sep or not command.strip() or not phrases.strip():
            raise ValueError(f"grammar item {item!r} is not COMMAND=PHRASE[|PHRASE]")
        grammar.setdefault(command.strip(), []).extend(p.strip() for p in phrases.split("|") if p.strip())
    return grammar


def run_say(args: argparse.Namespace) -> int:
    """Speak or write one utterance; exit 1 with the reason when speech is unavailable."""
    from voice.types import VoiceError

    try:
        if args.out:
            return _say_to_file(args)
        return _say_aloud(args)
    except VoiceError as exc:
        print(f"voice say: {exc.code}: {exc}", file=sys.stderr)
        return 1


def _say_to_file(args: argparse.Namespace) -> int:
    from voice.chooser import Choice, build_voices
    from voice.synth import wav_duration
    from voice.types import NoVoice

    voices = build_voices()
    voices.wait_ready()
    if args.engine:
        if args.engine not in voices.engines:
            raise NoVoice(f"engine {args.engine!r} is not available here ({', '.join(voices.engines)} are)")
        voices.choices[args.lang] = Choice(args.lang, args.engine, "asked for on the command line")
    engine = voices.engines.get(voices.choice(args.lang).engine or "")
    began = time.perf_counter()
    voices.render(args.text, args.reading, args.out, lang=args.lang, rate_level=args.rate, volume=1.0, pace=1.0)
    took = (time.perf_counter() - began) * 1000
    spoken = args.reading or _spoken(engine, args.text, args.lang)
    name = voices.choice(args.lang).engine
    print(f"{args.out}: {wav_duration(args.out):.2f} s of audio in {took:.0f} ms by {name}; spoken as: {spoken}")
    return 0


def _spoken(engine: object, text: str, lang: str) -> str:
    """What the engine makes of the text: Open JTalk's katakana, espeak-ng's kana, or the text itself."""
    reading = getattr(engine, "reading", None)
    if reading is not None:
        return reading(text)
    spoken_form = getattr(engine, "spoken_form", None)
    return spoken_form(text, None, lang) if spoken_form else text


def _say_aloud(args: argparse.Namespace) -> int:
    from voice.speaker import create_speaker

    speaker = create_speaker(player=args.player)
    try:
        status = speaker.status()
        if not status.available:
            print(f"voice say: speech unavailable: {status.reason}: {status.detail}", file=sys.stderr)
            return 1
        speaker.set_rate(args.rate)
        speaker.speak(args.text, reading=args.reading, lang=args.lang)
        speaker.wait_idle(timeout_s=120.0)
        status = speaker.status()
        if not status.available:
            print(f"voice say: {status.reason}: {status.detail}", file=sys.stderr)
            return 1
        return 0
    finally:
        speaker.close()


def run_listen(args: argparse.Namespace) -> int:
    """Listen once; print the recognition as JSON. Exit 0 understood, 1 not understood, 2 unavailable."""
    from voice.audio import WavSource
    from voice.listener import create_listener

    try:
        grammar = parse_grammar(args.grammar)
    except ValueError as exc:
        print(f"voice listen: {exc}", file=sys.stderr)
        return 2
    source = WavSource(args.wav) if args.wav else None
    listener = create_listener(model_path=args.model, source=source, fillers=args.filler)
    status = listener.status()
    if not status.available:
        print(f"voice listen: unavailable: {status.reason}: {status.detail}", file=sys.stderr)
        return 2
    unknown: list[str] = getattr(listener, "unknown_words", lambda _g: [])(grammar)
    if unknown:
        print(f"voice listen: the model does not know {', '.join(unknown)}", file=sys.stderr)
    result = listener.listen(grammar, timeout_s=args.timeout)
    print(
        json.dumps(
            {"command": result.command, "confidence": round(result.confidence, 3), "heard": result.heard},
            ensure_ascii=False,
        )
    )
    return 0 if result.command else 1


def run_check(args: argparse.Namespace) -> int:
    """Report what works; exit 0 when speech can at least be synthesized."""
    from voice.diagnostics import check_report, format_report

    report = check_report(model=args.model)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report))
    return 0 if report["synthesis"]["ok"] else 1
