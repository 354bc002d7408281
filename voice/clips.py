"""Rendered utterances kept as WAV files, so a screen prepared ahead (or heard again) starts without synthesis.

Open JTalk takes ~0.15-0.3 s per sentence; the kiosk's budget from step shown to speech starting is 250 ms p95.
Used only from the speaker's one worker thread.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
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
        self._made = 0
        self.hits = 0

    def get(self, key: ClipKey) -> Path | None:
        """The clip for `key` if it is still here."""
        path = self._clips.get(key)
        if path is None or not path.exists():
            return None
        self._clips.move_to_end(key)
        self.hits += 1
        return path

    def new_path(self) -> Path:
        """A fresh file name to render into."""
        self._made += 1
        return self.folder / f"clip-{self._made}.wav"

    def put(self, key: ClipKey, path: Path) -> None:
        """Keep `path` as the clip for `key`, evicting the oldest beyond the size."""
        self._clips[key] = path
        self._clips.move_to_end(key)
        while len(self._clips) > self.size:
            _, old = self._clips.popitem(last=False)
            with contextlib.suppress(OSError):
                old.unlink()

    def clear(self) -> None:
        """Forget and delete every clip (session end: nothing of the resident's screens stays)."""
        while self._clips:
            _, old = self._clips.popitem()
            with contextlib.suppress(OSError):
                old.unlink()
