"""The call again, through coturn on loopback with relay-only ICE in the console: the browser may only use TURN
relay candidates, TURN credentials come from the helpdesk (minted from coturn's static-auth-secret), and the audio
is still proved by content both ways."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time

import pytest

from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo
from kiosk.config import CallAudio
from tests.kiosk.conftest import mounted_kiosk
from tests.kiosk.test_call_e2e import ask_help, browser, near, staff_page, tones, wait_until  # noqa: F401
from yorisoi.demo import demo_config

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def coturn(tmp_path):
    binary = shutil.which("turnserver")
    if binary is None:
        pytest.skip("coturn is not installed (scripts/setup.sh --test installs it)")
    port, secret = free_udp_port(), secrets.token_hex(16)
    log = tmp_path / "turn.log"
    process = subprocess.Popen(
        [
            binary,
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            f"--listening-port={port}",
            "--min-port=49160",
            "--max-port=49260",
            "--use-auth-secret",
            f"--static-auth-secret={secret}",
            "--realm=yorisoi.test",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers",
            "--fingerprint",
            f"--log-file={log}",
            "--simple-log",
            "--no-stdout-log",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    yield port, secret, log
    process.terminate()
    process.wait(10)


@pytest.fixture
def turn_world(window, tmp_path, tones, coturn):  # noqa: F811
    port, secret, _log = coturn
    seed = seed_demo(tmp_path / "helpdesk.sqlite3")
    app = demo_app(seed, turn_urls=f"turn:127.0.0.1:{port}?transport=udp", turn_secret=secret)
    with EmbeddedServer(app) as server:
        config = demo_config(seed, server.base_url, tmp_path)
        audio = CallAudio(microphone=str(tones[0]), microphone_format=None, speaker=None)
        with mounted_kiosk(window, config.model_copy(update={"call": audio})) as driver:
            yield driver, seed, server.base_url


def test_two_way_audio_through_turn_with_relay_only_ice(turn_world, browser, coturn):  # noqa: F811
    driver, seed, base_url = turn_world
    escalation_id = ask_help(driver)
    page = staff_page(browser, seed, base_url, escalation_id)
    page.evaluate("() => { window.YORISOI_CALL_RELAY_ONLY = true; }")
    page.click("#call-btn")
    wait_until(lambda: driver.view.call is not None and driver.view.call.status == "ringing", driver)
    driver.touch("call-accept")
    wait_until(lambda: driver.view.call is not None and driver.view.call.status == "in-call", driver, seconds=20)
    media = driver.runtime.calls.media
    wait_until(lambda: near(media.heard.peak_hz, 880), driver)
    wait_until(lambda: near(page.evaluate("window.yorisoiCall.peakHz()"), 440), driver)
    kinds = page.evaluate(
        """async () => { const stats = await window.yorisoiCall._pc().getStats(); const out = [];
        stats.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
          const c = stats.get(s.localCandidateId); out.push([c.candidateType, c.address, c.port]); } });
        return out; }"""
    )
    assert kinds and all(kind == "relay" for kind, _a, _p in kinds)  # the console's media went through coturn
    assert all(address == "127.0.0.1" and 49160 <= port <= 49260 for _k, address, port in kinds)
    page.click("#hangup-btn")
    wait_until(lambda: driver.view.call is None, driver, seconds=5)
    page.context.close()
