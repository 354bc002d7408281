"""Rendered utterances kept as WAV files, so a screen prepared ahead (or heard again) starts without synthesis.

Open JTalk takes ~0.15-0.3 s per sentence; the kiosk's budget from step shown to speech starting is 250 ms p95.
The speaking thread and the preparing thread share it: a clip being rendered by one is waited for by the other,
never rendered twice.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

MAX_CLIPS = 24


class ClipKey(NamedTuple):
    """Everything that changes the audio of an utterance."""

    text: str
    reading: str | None
    lang: str
    rate_level: int
    volume: float
    pace: float


class ClipCache:
    """Least-recently-used WAV files in `folder`; evicted files are deleted."""

    def __init__(self, folder: Path, size: int = MAX_CLIPS) -> None:
        self.folder = folder
        self.size = size
        self._clips: OrderedDict[ClipKey, Path] = OrderedDict()
        self._rendering: dict[ClipKey, threading.Event] = {}
        self._lock = threading.Lock()
        self._made = 0
        self.hits = 0

    def clip(self, key: ClipKey, render: Callable[[Path], object]) -> Path:
        """The clip for `key`: kept, or being rendered by the other thread (waited for), or rendered now."""
        while True:
            with self._lock:
                path = self._clips.get(key)
                if path is not None and path.exists():
                    self._clips.move_to_end(key)
                    self.hits += 1
                    return path
                busy = self._rendering.get(key)
                if busy is None:
                    busy = self._rendering[key] = threading.Event()
                    self._made += 1
                    path = self.folder / f"clip-{self._made}.wav"
                    break
            busy.wait()  # the other thread finishes it (or fails: then this one tries itself)
        try:
            render(path)
            self._put(key, path)
            return path
        finally:
            with self._lock:
                self._rendering.pop(key, None)
            busy.set()

    def _put(self, key: ClipKey, path: Path) -> None:
        with self._lock:
            self._clips[key] = path
            self._clips.move_to_end(key)
            while len(self._clips) > self.size:
                _, old = self._clips.popitem(last=False)
                with contextlib.suppress(OSError):
                    old.unlink()

    def clear(self) -> None:
        """Forget and delete every clip (session end: nothing of the resident's screens stays)."""
        with self._lock:
            while self._clips:
                _, old = self._clips.popitem()
                with contextlib.suppress(OSError):
                    old.unlink()
