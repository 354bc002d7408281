"""bench/voice_bench.py keeps running (a few iterations; the figures themselves come from the full run)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "voice_bench.py"


def test_speech_out_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("voice_bench", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--runs", "5", "--no-listen", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert 0 < report["step_to_speech_start_idle"]["p50_ms"] < 5000
    assert report["kana_conversion"]["p95_ms"] > 0
    assert report["listen"].startswith("skipped")
    for engine in ("openjtalk", "espeak-ng"):
        figures = report["engines"][engine]
        assert "error" not in figures, figures
        assert figures["synthesis_s_per_audio_s"] > 0 and figures["install_mib"]["total"] > 0
    assert report["openjtalk_step_to_speech_start_prepared"]["p50_ms"] > 0
