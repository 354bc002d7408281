"""Text → WAV with Open JTalk (PyPI pyopenjtalk-plus): Japanese with pitch accent in the Mei voice, fully offline.

pyopenjtalk-plus ships the naist-jdic dictionary and the Mei voice inside its wheel, so nothing is downloaded at run
time. Its Sudachi reading correction is left off (it costs ~160 MiB RSS and fixed none of our sentences); the
readings it would fix are in our user dictionary instead. Loading takes ~0.5 s, so `start_loading()` does it on a
background thread and `synthesize()` waits for it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from voice.openjtalk_text import prepare, user_dictionary_csv
from voice.types import EmptyText, EngineLoading, SynthesisError, UserDictionaryFailed

NAME = "openjtalk"
MODULE = "pyopenjtalk"
ATTRIBUTION = (
    'Japanese voice: HTS Voice "Mei" © 2009-2013 Nagoya Institute of Technology (MMDAgent Project Team), '
    "licensed under CC BY 3.0 (https://creativecommons.org/licenses/by/3.0/). "
    "Open JTalk, hts_engine API and naist-jdic: BSD 3-Clause."
)
# Rate levels as Open JTalk speed factors (1.0 is Mei's own pace, brisk for older listeners), in the same
# proportions as espeak-ng's 120/145/175 words per minute.
SPEEDS = (0.72, 0.86, 1.0)
PEAK = 0.8  # Mei reaches ~1.2× full scale on some sentences; every utterance is scaled to peak at 0.8 at most
LOAD_TIMEOUT_S = 30.0


def installed(module: str = MODULE) -> bool:
    """True when pyopenjtalk(-plus) can be imported here (checked without importing it)."""
    return importlib.util.find_spec(module) is not None


class OpenJTalkSynthesizer:
    """Owns the process's Open JTalk: a global MeCab + HTS engine behind pyopenjtalk's own lock."""

    name = NAME

    def __init__(
        self, overrides: Mapping[str, str] | None = None, *, module: str = MODULE, cache: Path | None = None
    ) -> None:
        self._overrides = dict(overrides or {})
        self._cache = cache or Path(tempfile.gettempdir()) / "yorisoi-openjtalk"
        self._module_name = module
        self._module: Any = None
        self._options: dict[str, bool] = {}
        self._error: SynthesisError | None = None
        self._ready = threading.Event()
        self._started = False
        self._lock = threading.Lock()
        self._workdir = Path(tempfile.mkdtemp(prefix="yorisoi-jtalk-"))

    def start_loading(self) -> None:
        """Load the dictionary, user dictionary and voice on a background thread (returns at once)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, name="yorisoi-openjtalk-load", daemon=True).start()

    def wait_ready(self, timeout_s: float = LOAD_TIMEOUT_S) -> bool:
        """Load if nobody has, then block until loaded; False on timeout. Raises SynthesisError if loading failed."""
        self.start_loading()
        if not self._ready.wait(timeout_s):
            return False
        if self._error is not None:
            raise self._error
        return True

    def render(
        self, text: str, reading: str | None, path: Path, *, lang: str, rate_level: int, volume: float, pace: float
    ) -> Path:
        """SpeechEngine: content's reading when it gives one, else the written text."""
        return self.synthesize(reading or text, path, lang=lang, rate_level=rate_level, volume=volume, pace=pace)

    def synthesize(
        self, text: str, path: Path, *, lang: str = "ja", rate_level: int = 1, volume: float = 1.0, pace: float = 1.0
    ) -> Path:
        """Write written Japanese `text` (run through `prepare` here) as a 48 kHz mono 16-bit WAV at `path`."""
        spoken = prepare(text)
        if not spoken.strip(" 、。,.!?？！"):
            raise EmptyText("nothing to say")
        if not self.wait_ready():
            raise EngineLoading(f"Open JTalk did not load within {LOAD_TIMEOUT_S} s")
        try:
            audio, rate = self._module.tts(spoken, speed=SPEEDS[rate_level] * pace, **self._options)
        except Exception as exc:
            raise SynthesisError(f"Open JTalk failed: {type(exc).__name__}: {exc}") from exc
        if len(audio) == 0:
            raise SynthesisError(f"Open JTalk produced no audio for {len(spoken)} characters")
        write_wav(path, scaled(audio, volume), rate)
        return path

    def reading(self, text: str) -> str:
        """The katakana Open JTalk will say for `text` (for the reading table and `voice say`)."""
        if not self.wait_ready():
            raise EngineLoading(f"Open JTalk did not load within {LOAD_TIMEOUT_S} s")
        return self._module.g2p(prepare(text), kana=True, **self._options)

    def _load(self) -> None:
        try:
            with quiet_stdout():
                module = importlib.import_module(self._module_name)  # pyopenjtalk-plus prints an ONNX warning
            self._apply_user_dictionary(module)
            # pyopenjtalk-plus's extra correction steps, off (see above); the original pyopenjtalk has none.
            accepted = inspect.signature(module.tts).parameters
            self._options = {k: False for k in ("use_sudachi_kanji_yomi", "predict_nani") if k in accepted}
            self._module = module
            self._module.tts("はい", **self._options)  # the first call warms caches
        except Exception as exc:
            self._error = SynthesisError(f"Open JTalk is unavailable: {type(exc).__name__}: {exc}")
        finally:
            self._ready.set()

    def _apply_user_dictionary(self, pyopenjtalk: Any) -> None:
        rows = user_dictionary_csv(self._overrides)
        version = getattr(getattr(pyopenjtalk, "version", None), "__version__", "?")
        digest = hashlib.sha256(f"{self._module_name} {version}\n{rows}".encode()).hexdigest()[:16]
        dic = self._cache / f"user-{digest}.dic"
        if not dic.exists():  # compiled once per set of readings and version, then reused by every start
            csv, built = self._workdir / "user.csv", self._workdir / "user.dic"
            csv.write_text(rows, encoding="utf-8")
            build_user_dictionary(csv, built, self._module_name)
            self._cache.mkdir(parents=True, exist_ok=True)
            staged = self._cache / f"{dic.name}.{os.getpid()}.{threading.get_ident()}"
            shutil.copy(built, staged)
            os.replace(staged, dic)  # atomic: another kiosk process starting now sees all of it or nothing
        pyopenjtalk.update_global_jtalk_with_user_dict(str(dic))


def scaled(audio: Any, volume: float) -> Any:
    """Float samples in int16 units → int16, peak at most PEAK of full scale, times the volume."""
    import numpy as np

    peak = float(np.max(np.abs(audio))) or 1.0
    gain = min(1.0, PEAK * 32767 / peak) * max(0.0, min(1.0, volume))
    return np.clip(np.round(audio * gain), -32767, 32767).astype("<i2")


def write_wav(path: Path, samples: Any, rate: int) -> None:
    """Mono 16-bit WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())


class _QuietThread:
    """Stands in for sys.stdout: drops what one thread writes, passes everything else through."""

    def __init__(self, target: Any, thread_id: int) -> None:
        self._target, self._thread_id = target, thread_id

    def write(self, text: str) -> int:
        """Drop the quiet thread's text; forward the rest."""
        return len(text) if threading.get_ident() == self._thread_id else self._target.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Swallow what this thread prints on sys.stdout (pyopenjtalk-plus's ONNX warning) without muting others."""
    original = sys.stdout
    quiet = _QuietThread(original, threading.get_ident())
    sys.stdout = quiet
    try:
        yield
    finally:
        if sys.stdout is quiet:  # someone else may have swapped it meanwhile (pytest's capture): leave theirs
            sys.stdout = original


def build_user_dictionary(csv: Path, dic: Path, module: str = MODULE) -> None:
    """Compile a user dictionary in a child process: mecab-dict-index prints progress on the C stdout."""
    code = f"import sys; import {module} as m; m.mecab_dict_index(sys.argv[1], sys.argv[2])"
    done = subprocess.run(
        [sys.executable, "-c", code, str(csv), str(dic)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )
    if done.returncode != 0 or not dic.exists():
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no message)"]
        raise UserDictionaryFailed(f"could not build the Open JTalk user dictionary: {tail[0]}")
