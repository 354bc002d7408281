"""Players we control: failures are visible, cancelling is quick, no device means unavailable."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from voice.players import CommandPlayer, SilentPlayer, find_player, make_player, silence
from voice.types import NO_AUDIO_DEVICE, PLAYER_MISSING, PlaybackError


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return silence(tmp_path / "clip.wav", 0.4)


def test_silent_player_takes_the_clip_length(clip: Path) -> None:
    player = SilentPlayer()
    began = time.perf_counter()
    assert player.play(clip, threading.Event()) is True
    assert time.perf_counter() - began > 0.35  # it took the clip's time (never less, however busy the machine)
    assert player.played == [pytest.approx(0.4, abs=0.01)] and player.completed == [True]


def test_cancel_cuts_playback_short(clip: Path) -> None:
    cancel = threading.Event()
    threading.Timer(0.05, cancel.set).start()
    player = SilentPlayer()
    assert player.play(clip, cancel) is False
    assert player.completed == [False]


def test_failing_player_raises_with_its_message(clip: Path) -> None:
    player = CommandPlayer("fake", ["sh", "-c", "echo 'no such card' >&2; exit 3", "player"])
    with pytest.raises(PlaybackError, match="no such card") as failure:
        player.play(clip, threading.Event())
    assert failure.value.code == "playback-failed"


def test_cancel_terminates_a_command_player(clip: Path) -> None:
    player = CommandPlayer("sleepy", ["sh", "-c", "exec sleep 30", "player"])
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    assert player.play(clip, cancel) is False  # `sleep 30` was terminated: it did not run to its end


def test_probe_reports_a_missing_program() -> None:
    status = CommandPlayer("ghost", ["yorisoi-no-such-player"]).probe()
    assert (status.available, status.reason) == (False, PLAYER_MISSING)


def test_probe_reports_a_failing_device() -> None:
    status = CommandPlayer("broken", ["sh", "-c", "echo 'cannot open audio device' >&2; exit 1", "p"]).probe()
    assert (status.available, status.reason) == (False, NO_AUDIO_DEVICE)
    assert "cannot open audio device" in (status.detail or "")


def test_unknown_player_name() -> None:
    with pytest.raises(PlaybackError) as failure:
        make_player("gramophone")
    assert failure.value.code == PLAYER_MISSING


def test_this_machine_without_sound_card_finds_no_player_quickly() -> None:
    player, status = find_player()
    if player is not None:
        pytest.skip(f"this machine has a working audio output ({player.name})")
    assert (status.available, status.reason) == (False, NO_AUDIO_DEVICE)
