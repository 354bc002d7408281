"""A real PC/SC stack without hardware: Debian's pcscd (foreground, started and stopped here) with the vsmartcard
`vpcd` virtual reader driver, and a マイナンバーカード emulated in Python that speaks vpcd's socket protocol.

The emulated card answers as the public specification describes (see kiosk/card/apdu.py for the sources): SELECT of
the JPKI AP and the 券面事項入力補助AP by AID, SELECT of their PIN EFs, VERIFY without data → 63Cx / 6983 / 9000, a
VERIFY *with* data decrements the counter like a real card (so a test notices if one is ever sent), READ BINARY of
the 利用者証明用 certificate. It records every command APDU it received.

vpcd protocol (vsmartcard `virtualsmartcard/VirtualSmartcard.py`): the card connects to the driver's TCP port; every
message is a 2-byte big-endian length and a payload; a 1-byte payload is a control (0 off, 1 on, 2 reset, 4 ATR?).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.card.apdu import AUTH_CERT_EF, AUTH_PIN_EF, JPKI_AP, SIGN_PIN_EF, TEXT_HELPER_AP, TEXT_PIN_EF

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
ATR = bytes.fromhex("3B8880010000000000000000")  # a plain contactless (Type B) ATR as a PC/SC reader reports it


@dataclass
class CardProfile:
    """How the emulated card behaves."""

    auth_left: int = 3
    text_left: int = 3
    sign_left: int = 5
    mynumber: bool = True  # False: no JPKI application (SELECT answers 6A82)
    mute: bool = False  # the chip powers up but answers no command usefully (a damaged chip: one stray byte)
    pull_after: int | None = None  # the card leaves the reader after this many commands
    not_after: dt.datetime = field(default_factory=lambda: dt.datetime(2031, 3, 31, 14, 59, 59, tzinfo=dt.UTC))


def certificate_der(not_after: dt.datetime) -> bytes:
    """A real X.509 certificate (self-signed, no personal data) valid until `not_after`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "emulated JPKI auth")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - dt.timedelta(days=5 * 365))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.DER)


class CardApplet:
    """The card's logic: answers command APDUs as the specification describes and records every command."""

    def __init__(self, profile: CardProfile | None = None):
        self.profile = profile or CardProfile()
        self.commands: list[bytes] = []
        self.counters = {"auth": self.profile.auth_left, "text": self.profile.text_left, "sign": self.profile.sign_left}
        self.cert = certificate_der(self.profile.not_after)
        self._ap = b""
        self._ef = b""

    def transmit(self, command: bytes) -> tuple[bytes, int, int]:
        """The applet as a `kiosk.card.apdu.Transmit` (no reader in between: for the protocol's unit tests)."""
        self.commands.append(command)
        answer = self.answer(command)
        return answer[:-2], answer[-2], answer[-1]

    def pin_bearing(self) -> list[bytes]:
        """Commands that carried a PIN or changed one (there must never be any)."""
        return [c for c in self.commands if c[1] in (0x24, 0x2C) or (c[1] == 0x20 and len(c) > 4)]

    def answer(self, c: bytes) -> bytes:
        """The card's response APDU to one command."""
        ins, p1, p2 = c[1], c[2], c[3]
        data = c[5 : 5 + c[4]] if len(c) > 5 else b""
        if ins == 0xA4 and p1 == 0x04:
            known = {JPKI_AP} | ({TEXT_HELPER_AP} if self.profile.mynumber else set())
            if data in known and self.profile.mynumber:
                self._ap, self._ef = data, b""
                return b"\x90\x00"
            return b"\x6a\x82"
        if ins == 0xA4 and p1 == 0x02:
            files = {JPKI_AP: {AUTH_PIN_EF, SIGN_PIN_EF, AUTH_CERT_EF}, TEXT_HELPER_AP: {TEXT_PIN_EF}}
            if data in files.get(self._ap, set()):
                self._ef = data
                return b"\x90\x00"
            return b"\x6a\x82"
        if ins == 0x20 and p2 == 0x80:
            return self._verify(data)
        if ins == 0xB0 and self._ef == AUTH_CERT_EF:
            offset, length = (p1 << 8) | p2, (c[4] or 256)
            return self.cert[offset : offset + length] + b"\x90\x00"
        return b"\x6d\x00"

    def _verify(self, data: bytes) -> bytes:
        pin = {AUTH_PIN_EF: "auth", SIGN_PIN_EF: "sign", TEXT_PIN_EF: "text"}.get(self._ef)
        if pin is None:
            return b"\x69\x86"
        if data:  # a real card spends a try on every wrong PIN
            self.counters[pin] = max(0, self.counters[pin] - 1)
        left = self.counters[pin]
        return b"\x69\x83" if left == 0 else bytes([0x63, 0xC0 | left])


class EmulatedCard(CardApplet):
    """The applet on the virtual reader (over vpcd's socket) until `remove()` or `pull_after` commands."""

    def __init__(self, port: int, profile: CardProfile | None = None):
        super().__init__(profile)
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self._sock.settimeout(None)
        self._thread = threading.Thread(target=self._serve, daemon=True, name="emulated-card")
        self._thread.start()

    def remove(self) -> None:
        """Take the card off the reader."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        try:
            while True:
                head = self._recv(2)
                message = self._recv(struct.unpack("!H", head)[0])
                if len(message) == 1:
                    if message[0] == 4:
                        self._send(ATR)
                    continue
                self.commands.append(message)
                if self.profile.pull_after is not None and len(self.commands) > self.profile.pull_after:
                    self._sock.close()
                    return
                self._send(b"\x00" if self.profile.mute else self.answer(message))
        except OSError:
            return

    def _recv(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self._sock.recv(n - len(data))
            if not chunk:
                raise OSError("reader closed")
            data += chunk
        return data

    def _send(self, payload: bytes) -> None:
        self._sock.sendall(struct.pack("!H", len(payload)) + payload)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stack_problem() -> str | None:
    """Why the real PC/SC stack cannot run here (None: it can)."""
    if shutil.which("pcscd") is None:
        return "pcscd is not installed (scripts/setup.sh --test installs pcscd and vsmartcard-vpcd)"
    if not VPCD_DRIVER.exists():
        return f"the vpcd virtual reader driver is missing ({VPCD_DRIVER}; Debian package vsmartcard-vpcd)"
    try:
        import smartcard  # noqa: F401
    except ImportError:
        return "pyscard is not installed (pip install 'yorisoi[kiosk]')"
    if PCSCD_SOCKET.exists() and _pcscd_running():
        return "another pcscd is already running (pcscd 1.9 has one fixed socket): stop it to run the card tests"
    if not os.access(PCSCD_SOCKET.parent if PCSCD_SOCKET.parent.exists() else PCSCD_SOCKET.parents[1], os.W_OK):
        return f"pcscd needs write access to {PCSCD_SOCKET.parent} (run the card tests as root or in CI)"
    return None


def _pcscd_running() -> bool:
    pid_file = PCSCD_SOCKET.parent / "pcscd.pid"
    try:
        os.kill(int(pid_file.read_text().strip()), 0)
    except (OSError, ValueError):
        return False
    return True


class PcscStack:
    """pcscd in the foreground with one vpcd reader on a free port; `place(profile)` puts a card on it."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="yorisoi-pcsc-"))
        self.process: subprocess.Popen | None = None
        self.cards: list[EmulatedCard] = []

    def start(self) -> PcscStack:
        """Start pcscd and wait until its reader is listed."""
        conf = self.dir / "reader.conf.d"
        conf.mkdir()
        (conf / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{self.port:04X}\n'
            f"LIBPATH {VPCD_DRIVER}\nCHANNELID 0x{self.port:04X}\n"
        )
        with (self.dir / "pcscd.log").open("wb") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                ["pcscd", "--foreground", "--info", "--config", str(conf)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # signals meant for the test's process group do not reach pcscd
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._listening():
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"pcscd exited: {(self.dir / 'pcscd.log').read_text()[-500:]}")
            time.sleep(0.05)
        raise RuntimeError("pcscd did not open its virtual reader within 10 s")

    def _listening(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0 and PCSCD_SOCKET.exists()

    def place(self, profile: CardProfile | None = None) -> EmulatedCard:
        """Put an emulated card on the reader."""
        card = EmulatedCard(self.port, profile)
        self.cards.append(card)
        return card

    def stop(self) -> None:
        """Remove every card and stop pcscd."""
        for card in self.cards:
            card.remove()
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self) -> str:
        """What pcscd printed (for failure messages)."""
        path = self.dir / "pcscd.log"
        return path.read_text(errors="replace") if path.exists() else ""
