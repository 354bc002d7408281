"""WebRTC audio for the kiosk with aiortc, on its own asyncio loop in a daemon thread (Kivy owns the UI thread).

Nothing is opened before `answer()`, which the call line calls only after the resident touched 話す: the microphone
(a `MediaPlayer` on the audio device, or a file in tests) and the speaker exist only during a call. No recording:
what arrives is played (and measured for level and tone, for the readiness check and the tests), never stored."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

SILENT_AFTER_S = 2.5
"""No audio from the other side for this long in a connected call counts as a dropped call (reported within 5 s:
ICE consent checks alone take longer)."""


@dataclass
class AudioDevices:
    """Where the call's audio comes from and goes to: FFmpeg input/output names (`default` + `pulse` or `alsa`), or
    a file to play as the microphone (tests, demos). `speaker=None` measures what arrives without playing it."""

    microphone: str = "default"
    microphone_format: str | None = "pulse"
    speaker: str | None = "default"
    speaker_format: str | None = "pulse"
    loop_file: bool = True


@dataclass
class Heard:
    """What the kiosk received during the call: frames, and the strongest frequency of the last second."""

    frames: int = 0
    last_at: float = 0.0
    peak_hz: float = 0.0
    level: float = 0.0
    first_at: float | None = None
    samples: list[np.ndarray] = field(default_factory=list)


def peak_frequency(samples: np.ndarray, rate: int) -> tuple[float, float]:
    """(strongest frequency in Hz, RMS level 0..1) of mono float samples."""
    if samples.size < 256:
        return 0.0, 0.0
    window = samples * np.hanning(samples.size)
    spectrum = np.abs(np.fft.rfft(window))
    spectrum[:5] = 0  # DC and rumble
    peak = int(np.argmax(spectrum))
    return peak * rate / samples.size, float(np.sqrt(np.mean(samples**2)))


class CallMedia:
    """One call's peer connection at a time; every public method is thread-safe and blocks until done."""

    def __init__(self, devices: AudioDevices, *, on_state: Callable[[str], None] | None = None):
        self.devices = devices
        self.on_state = on_state or (lambda _state: None)
        self.heard = Heard()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="call-media", daemon=True)
        self._thread.start()
        self._pc: Any = None  # aiortc's RTCPeerConnection once a call is answered
        self._player: Any = None
        self._speaker: Any = None
        self._tasks: list[asyncio.Task] = []
        self.capturing = False

    def _run(self, coro, timeout_s: float = 20.0):
        future: Future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout_s)

    def answer(self, offer_sdp: str, ice_servers: list[dict]) -> str:
        """Open the microphone, answer the staff member's offer; returns the answer SDP (candidates included)."""
        return self._run(self._answer(offer_sdp, ice_servers))

    def close(self) -> None:
        """End the call: close the peer connection, the microphone and the speaker (idempotent)."""
        if self._thread.is_alive():
            self._run(self._close(), timeout_s=10.0)

    def shutdown(self) -> None:
        """Close, stop the media thread and close its loop (kiosk exit)."""
        if not self._thread.is_alive():
            return
        try:
            self.close()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            if not self._loop.is_running():
                self._loop.close()

    async def _answer(self, offer_sdp: str, ice_servers: list[dict]) -> str:
        from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
        from aiortc.contrib.media import MediaPlayer

        await self._close()
        servers = [
            RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
            for s in ice_servers
        ]
        pc = RTCPeerConnection(RTCConfiguration(iceServers=servers or None))
        self._pc, self.heard = pc, Heard()
        d = self.devices
        options: dict[str, Any] = {"loop": True} if d.microphone_format is None and d.loop_file else {}
        self._player = MediaPlayer(d.microphone, format=d.microphone_format, **options)
        self.capturing = True
        pc.addTrack(self._player.audio)

        @pc.on("track")
        def on_track(track) -> None:
            if track.kind == "audio":
                self._tasks.append(asyncio.ensure_future(self._receive(track)))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            self.on_state(pc.connectionState)

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())  # aiortc gathers every candidate first
        self._tasks.append(asyncio.ensure_future(self._watch(pc)))
        return pc.localDescription.sdp

    async def _receive(self, track) -> None:
        speaker = self._open_speaker()
        window: list[np.ndarray] = []
        while True:
            try:
                frame = await track.recv()
            except Exception:  # the track ended with the call
                return
            heard = self.heard
            now = time.monotonic()
            heard.frames += 1
            heard.last_at = now
            heard.first_at = heard.first_at or now
            pcm = frame.to_ndarray().astype(np.float32).reshape(-1) / 32768.0
            channels = len(frame.layout.channels)
            mono = pcm.reshape(-1, channels).mean(axis=1) if channels > 1 else pcm
            window.append(mono)
            if sum(w.size for w in window) >= frame.sample_rate // 4:  # 0.25 s: 4 Hz resolution
                joined = np.concatenate(window)
                heard.peak_hz, heard.level = peak_frequency(joined, frame.sample_rate)
                window.clear()
            if speaker is not None:
                speaker.write(frame)

    def _open_speaker(self):
        d = self.devices
        if d.speaker is None:
            return None
        try:
            return _Speaker(d.speaker, d.speaker_format)
        except Exception as exc:  # the call goes on; the readiness check reports the speaker
            log.warning("call speaker unavailable: %s", exc)
            return None

    async def _watch(self, pc) -> None:
        """Report a connected call whose audio stopped as dropped (sooner than ICE would notice)."""
        while self._pc is pc:
            await asyncio.sleep(0.5)
            heard = self.heard
            if pc.connectionState == "connected" and heard.frames and time.monotonic() - heard.last_at > SILENT_AFTER_S:
                self.on_state("dropped")
                return

    async def _close(self) -> None:
        pc, self._pc = self._pc, None
        for task in self._tasks:
            task.cancel()
        self._tasks = []
        if self._player is not None:
            audio = self._player.audio
            if audio is not None:
                audio.stop()
            self._player = None
        self.capturing = False
        if pc is not None:
            await pc.close()


class _Speaker:
    """Plays received frames on an FFmpeg output device (PulseAudio or ALSA)."""

    def __init__(self, device: str, fmt: str | None):
        import av

        self.container = av.open(device, mode="w", format=fmt)
        self.stream: Any = None

    def write(self, frame) -> None:
        """Play one frame."""
        if self.stream is None:
            self.stream = self.container.add_stream("pcm_s16le", rate=frame.sample_rate)
        for packet in self.stream.encode(frame):
            self.container.mux(packet)
