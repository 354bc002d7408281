"""Personal data never reaches the database or the logs: real-world spellings of マイナンバー, phone numbers and
e-mail addresses are masked in free text, refused in identifiers, and a scan of the files afterwards finds none."""

from __future__ import annotations

import re
import signal
import subprocess
import unicodedata
import uuid
from pathlib import Path

import httpx
import pytest

from helpdesk.screening import EMAIL_MASK, NUMBER_MASK, PHONE_MASK, screen_text

from .conftest import World, escalation_body, kiosk_headers, staff_token
from .test_server_process import free_port, start_server

API = "/api/v1"

SPELLINGS = [  # (how a person wrote it, the mask it must become)
    ("1234 5678 9012", NUMBER_MASK),
    ("1234  5678  9012", NUMBER_MASK),  # two spaces
    ("1234/5678/9012", NUMBER_MASK),
    ("1234,5678,9012", NUMBER_MASK),
    ("1234-5678-9012", NUMBER_MASK),
    ("1234.5678.9012", NUMBER_MASK),
    ("1234\n5678\n9012", NUMBER_MASK),  # line breaks inside the number
    ("1234\r\n5678 9012", NUMBER_MASK),
    ("１２３４５６７８９０１２", NUMBER_MASK),  # full-width
    ("１２３４－５６７８－９０１２", NUMBER_MASK),
    ("1234 ５６７８／9012", NUMBER_MASK),  # mixed widths and separators
    ("１２３４、５６７８、９０１２", NUMBER_MASK),
    ("1 2 3 4 5 6 7 8 9 0 1 2", NUMBER_MASK),
    ("123456789012", NUMBER_MASK),
    ("1234 - 5678 - 9012", NUMBER_MASK),
    ("(03) 5512-8841", PHONE_MASK),
    ("（０３）５５１２－８８４１", PHONE_MASK),
    ("03-5512-8841", PHONE_MASK),
    ("03 5512 8841", PHONE_MASK),
    ("090-1234-5678", PHONE_MASK),
    ("０９０ １２３４ ５６７８", PHONE_MASK),
    ("+81 90 1234 5678", PHONE_MASK),
    ("taro.yamada@example.jp", EMAIL_MASK),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", EMAIL_MASK),
    ("hanako+kiosk@mail.example.co.jp", EMAIL_MASK),
]
KEPT = [
    "10時30分に来ます",
    "3番窓口へどうぞ",
    "2026年12月2日",
    "カードの暗証番号は4桁です",
    "12:30",
    "電話してください",
]


def digits(text: str) -> str:
    """Only the digits of `text` (full-width too)."""
    return "".join(ch for ch in text if ch.isdigit()).translate(str.maketrans("０１２３４５６７８９", "0123456789"))


@pytest.mark.parametrize(("written", "mask"), SPELLINGS)
def test_every_spelling_is_masked(written: str, mask: str) -> None:
    screened = screen_text(f"番号は {written} です")
    assert mask in screened
    assert not digits(screened), screened
    assert "@" not in screened


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(text: str) -> None:
    assert screen_text(text) == text


def test_identifiers_refuse_personal_numbers_and_accept_random_ids(client, sqlite_world: World) -> None:  # type: ignore[no-untyped-def]
    refused = [
        {"procedure_id": "1234-5678-9012"},
        {"step_id": "123456789012"},
        {"reason": "offer:1234-5678-9012"},
        {"session_id": "123456789012"},
        {"session_id": "1234-5678-9012"},
        {"session_id": "03-5512-8841_x"},
        {"path": [{"step_id": "0355128841", "seconds": 1.0}]},
    ]
    for n, fields in enumerate(refused):
        answer = client.post(
            f"{API}/escalations",
            json=escalation_body(**fields),
            headers=kiosk_headers(sqlite_world, "north-1", f"refuse-{n}"),
        )
        assert answer.status_code == 422, (fields, answer.text)
        assert "personal" in answer.json()["message"], answer.text
    for n in range(200):  # random session ids have digit runs between letters: never refused
        answer = client.post(
            f"{API}/escalations",
            json=escalation_body(session_id=uuid.uuid4().hex),
            headers=kiosk_headers(sqlite_world, "north-1", f"ok-{n}"),
        )
        assert answer.status_code in (200, 201), answer.text


def test_kiosks_and_staff_cannot_post_system_notes(client, sqlite_world: World) -> None:  # type: ignore[no-untyped-def]
    created = client.post(
        f"{API}/escalations", json=escalation_body(), headers=kiosk_headers(sqlite_world, "north-1", "sys")
    ).json()
    for headers in (kiosk_headers(sqlite_world, "north-1"), staff_token(sqlite_world, "alice")):
        answer = client.post(
            f"{API}/escalations/{created['id']}/messages", json={"kind": "system", "text": "claimed"}, headers=headers
        )
        assert answer.status_code == 422, answer.text
    polled = client.get(
        f"{API}/escalations/{created['id']}/messages?after=0", headers=kiosk_headers(sqlite_world, "north-1")
    )
    assert [m for m in polled.json()["messages"] if m["kind"] == "system"] == []


def test_nothing_personal_reaches_the_database_files_or_the_log(sqlite_world: World, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "server.log"
    server = start_server(sqlite_world.url, port, log)
    base = f"http://127.0.0.1:{port}"
    kiosk, alice = kiosk_headers(sqlite_world, "north-1"), staff_token(sqlite_world, "alice")
    try:
        with httpx.Client(base_url=base, timeout=10) as http:
            created = http.post(
                f"{API}/escalations", json=escalation_body(), headers=kiosk_headers(sqlite_world, "north-1", "scan")
            ).json()
            assert http.post(f"{API}/escalations/{created['id']}/claim", headers=alice).status_code == 200
            for n, (written, _) in enumerate(SPELLINGS):
                sender = kiosk if n % 2 else alice
                answer = http.post(
                    f"{API}/escalations/{created['id']}/messages",
                    json={"kind": "text", "text": f"これです {written} よろしく"},
                    headers=sender,
                )
                assert answer.status_code == 201, answer.text
            heartbeat = {
                "kiosk_version": "1.0",
                "content_version": "2026-12",
                "voice_available": True,
                "outbox_length": 0,
                "content_errors": [f"moving-in.yaml: {written}" for written, _ in SPELLINGS],
            }
            assert http.post(f"{API}/kiosks/heartbeat", json=heartbeat, headers=kiosk).status_code == 200
            for n, (written, _) in enumerate(SPELLINGS):  # identifiers are refused, and the refusal logs nothing
                body = escalation_body(procedure_id=written)
                http.post(f"{API}/escalations", json=body, headers=kiosk_headers(sqlite_world, "north-1", f"i{n}"))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    database = Path(sqlite_world.url.removeprefix("sqlite:///"))
    files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)] + [log]
    assert len(files) >= 2
    for path in files:
        raw = path.read_bytes()
        text = unicodedata.normalize("NFKC", raw.decode("utf-8", "replace"))
        for written, _ in SPELLINGS:
            assert written.encode() not in raw, f"{written!r} in {path.name}"
            if "@" not in unicodedata.normalize("NFKC", written):  # the digits, however separated
                spelled = re.compile("[^0-9A-Za-z]{0,3}".join(digits(written)))
                assert not spelled.search(text), f"{written!r} in {path.name}"
        assert "example" not in text, f"an e-mail address in {path.name}"
