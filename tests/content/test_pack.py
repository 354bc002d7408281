"""Content packs: canonical and content-addressed, lossless, signed, and refused when anything is off."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from content.loader import PACKAGED
from content.pack import (
    PackError,
    Signer,
    generate_key,
    lint_pack,
    make_pack,
    pack_folder,
    read_pack,
    unpack,
    verify_pack,
)


@pytest.fixture(scope="module")
def keys() -> tuple[Signer, str]:
    pem, public = generate_key()
    return Signer(pem), public


def test_same_folder_same_version_and_the_round_trip_is_byte_exact(tmp_path: Path) -> None:
    first, again = pack_folder(PACKAGED), pack_folder(PACKAGED)
    assert first.version == again.version and first.data == again.data
    out = unpack(read_pack(first.data, first.version), tmp_path / "out")
    for sub in ("procedures", "pictures"):
        shipped = {p.name: p.read_bytes() for p in (PACKAGED / sub).iterdir() if p.suffix in (".yaml", ".png")}
        written = {p.name: p.read_bytes() for p in (out / sub).iterdir()}
        assert written == shipped
    assert pack_folder(out).version == first.version


def test_one_changed_byte_is_a_new_version(tmp_path: Path) -> None:
    copy = tmp_path / "content"
    shutil.copytree(PACKAGED / "procedures", copy / "procedures")
    shutil.copytree(PACKAGED / "pictures", copy / "pictures")
    before = pack_folder(copy).version
    target = copy / "procedures" / "touch-practice.yaml"
    target.write_bytes(target.read_bytes() + b"# a comment survives\n")
    changed = pack_folder(copy)
    assert changed.version != before
    assert changed.files["procedures/touch-practice.yaml"].endswith(b"# a comment survives\n")


def test_signed_pack_verifies_and_tampering_or_another_key_is_refused(keys) -> None:  # type: ignore[no-untyped-def]
    signer, public = keys
    pack = pack_folder(PACKAGED)
    signature = signer.sign(pack.version)
    assert verify_pack(pack.data, pack.version, signature, public).version == pack.version

    tampered = pack.data.replace(b"procedures/touch-practice.yaml", b"procedures/touch-practicf.yaml", 1)
    with pytest.raises(PackError) as hash_error:
        verify_pack(tampered, pack.version, signature, public)
    assert hash_error.value.code == "pack-hash-mismatch"

    # a consistent forgery: new files, honest hash, but only the real key can sign it
    files = dict(pack.files)
    files["procedures/touch-practice.yaml"] += b"# injected\n"
    forged = make_pack(files)
    with pytest.raises(PackError) as sig_error:
        verify_pack(forged.data, forged.version, signature, public)
    assert sig_error.value.code == "pack-signature-invalid"

    other_signer = Signer(generate_key()[0])
    with pytest.raises(PackError) as other_error:
        verify_pack(pack.data, pack.version, other_signer.sign(pack.version), public)
    assert other_error.value.code == "pack-signature-invalid"


def test_a_pack_cannot_write_outside_its_folders() -> None:
    for bad in ("../evil.yaml", "procedures/../../x.yaml", "procedures/sub/x.yaml", "scripts/x.sh", "pictures/x.svg"):
        with pytest.raises(PackError) as error:
            make_pack({"procedures/a.yaml": b"id: a\n", bad: b"x"})
        assert error.value.code == "pack-path"


def test_non_canonical_bytes_are_refused() -> None:
    pack = make_pack({"procedures/a.yaml": b"id: a\n"})
    pretty = json.dumps(json.loads(pack.data), indent=2).encode()
    with pytest.raises(PackError) as error:
        read_pack(pretty)
    assert error.value.code == "pack-format"
    entry = json.loads(pack.data)
    entry["files"][0]["data"] = base64.b64encode(b"id: b\n").decode()
    with pytest.raises(PackError):
        read_pack(json.dumps(entry, sort_keys=True, separators=(",", ":")).encode())


def test_lint_of_a_pack_is_the_cli_linter() -> None:
    assert [p for p in lint_pack(pack_folder(PACKAGED)) if p.severity == "error"] == []
    broken = make_pack({"procedures/x.yaml": b"id: x\nsteps: []\n"})
    assert any(p.severity == "error" for p in lint_pack(broken))
