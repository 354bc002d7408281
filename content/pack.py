"""Content packs: a content folder (procedures + pictures) as one canonical, content-addressed, signed file.

The canonical form is a JSON document listing every file (sorted by path) with its bytes (base64) and SHA-256,
encoded with sorted keys and no spaces; the version id is the SHA-256 of those bytes, so the same folder always
packs to the same id and a kiosk can check what it downloaded against the id it was told. File bytes are kept
exactly (comments, key order, line ends): unpacking a pack gives back the folder that was packed.

A pack is signed with Ed25519 over `SIGNED_PREFIX + version id`; the private key stays on the helpdesk host, each
kiosk's configuration carries the public key (`ed25519:BASE64`). Imports nothing of the project but `content`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

PACK_FORMAT = "yorisoi-content-pack"
PACK_FORMAT_VERSION = 1
SIGNED_PREFIX = b"yorisoi-content-pack-v1:"
"""Domain separation: a content signature can never be mistaken for a signature over anything else."""

FOLDERS = {"procedures": ".yaml", "pictures": ".png"}
"""What a pack holds: procedure files and the pictures they show (nothing else of a folder is packed)."""
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_PACK_BYTES = 64 * 1024 * 1024
KEY_PREFIX = "ed25519:"


class PackError(Exception):
    """A pack could not be made, read, or trusted; `code` says which (stable, for heartbeats and screens)."""

    code = "pack-invalid"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.code = code or self.code


@dataclass(frozen=True)
class Pack:
    """A canonical pack: its bytes, its version id (SHA-256 hex of the bytes) and its files."""

    data: bytes
    version: str
    files: dict[str, bytes]

    @property
    def short(self) -> str:
        """The first 12 hex digits, what people read on screens."""
        return self.version[:12]

    def procedures(self) -> list[str]:
        """Procedure file names in the pack."""
        return sorted(p.split("/", 1)[1] for p in self.files if p.startswith("procedures/"))


def folder_files(folder: Path) -> dict[str, bytes]:
    """The files of a content folder that belong in a pack, keyed by `procedures/x.yaml` / `pictures/x.png`."""
    root = folder.parent if folder.name == "procedures" and not (folder / "procedures").is_dir() else folder
    files: dict[str, bytes] = {}
    for sub, suffix in FOLDERS.items():
        directory = root / sub
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.is_file() and path.suffix == suffix:
                files[f"{sub}/{path.name}"] = path.read_bytes()
    if not any(p.startswith("procedures/") for p in files):
        raise PackError(f"{root}: no procedures/*.yaml to pack", code="pack-empty")
    return files


def make_pack(files: dict[str, bytes]) -> Pack:
    """The canonical pack of these files (same files → same bytes → same version id)."""
    for path, data in files.items():
        _check_path(path)
        if len(data) > MAX_FILE_BYTES:
            raise PackError(f"{path}: {len(data)} bytes is more than {MAX_FILE_BYTES}", code="pack-file-too-big")
    document = {
        "format": PACK_FORMAT,
        "format_version": PACK_FORMAT_VERSION,
        "files": [
            {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "data": base64.b64encode(data).decode()}
            for path, data in sorted(files.items())
        ],
    }
    data = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    return Pack(data, hashlib.sha256(data).hexdigest(), dict(sorted(files.items())))


def pack_folder(folder: Path) -> Pack:
    """Pack a content folder (or its procedures/ folder)."""
    return make_pack(folder_files(folder))


def read_pack(data: bytes, expected_version: str | None = None) -> Pack:
    """Parse pack bytes, refusing anything not in canonical form or not matching `expected_version`."""
    if len(data) > MAX_PACK_BYTES:
        raise PackError("the pack is larger than any content folder should be", code="pack-too-big")
    version = hashlib.sha256(data).hexdigest()
    if expected_version is not None and version != expected_version:
        raise PackError(f"the pack's SHA-256 is {version[:12]}, not {expected_version[:12]}", code="pack-hash-mismatch")
    try:
        document = json.loads(data)
        if document.get("format") != PACK_FORMAT or document.get("format_version") != PACK_FORMAT_VERSION:
            raise PackError("not a version-1 Yorisoi content pack", code="pack-format")
        files = {}
        for entry in document["files"]:
            body = base64.b64decode(entry["data"], validate=True)
            if hashlib.sha256(body).hexdigest() != entry["sha256"]:
                raise PackError(f"{entry['path']}: its bytes do not match its SHA-256", code="pack-hash-mismatch")
            files[entry["path"]] = body
    except PackError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise PackError(f"the pack is not readable: {type(exc).__name__}", code="pack-format") from exc
    pack = make_pack(files)
    if pack.data != data:
        raise PackError("the pack is not in canonical form", code="pack-format")
    return pack


def unpack(pack: Pack, folder: Path) -> Path:
    """Write the pack's files into `folder` (created; must be empty or absent). Returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise PackError(f"{folder} is not empty: unpack into a new folder", code="pack-target-not-empty")
    for path, data in pack.files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def _check_path(path: str) -> None:
    """Only `procedures/NAME.yaml` and `pictures/NAME.png`, no subfolders, no `..`: a pack cannot write elsewhere."""
    sub, _, name = path.partition("/")
    ok = sub in FOLDERS and name.endswith(FOLDERS[sub]) and "/" not in name and "\\" not in name
    if not ok or name.startswith(".") or not name:
        raise PackError(f"{path!r} cannot be in a pack (only procedures/*.yaml, pictures/*.png)", code="pack-path")


# --- signing (Ed25519) ---


def generate_key() -> tuple[bytes, str]:
    """A new signing key: (private key as PEM, public key as `ed25519:BASE64` for kiosk configurations)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem, public_key_text(private.public_key())


def public_key_text(public) -> str:
    """`ed25519:BASE64` of a public key object."""
    from cryptography.hazmat.primitives import serialization

    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return KEY_PREFIX + base64.b64encode(raw).decode()


def write_private_key(path: Path, pem: bytes) -> None:
    """Write the private key readable by its owner only (refuses to overwrite an existing key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


class Signer:
    """Signs pack versions with the helpdesk's private key."""

    def __init__(self, pem: bytes):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except ValueError as exc:
            raise PackError("the signing key file is not a PEM private key", code="signing-key-invalid") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise PackError("the signing key is not an Ed25519 key", code="signing-key-invalid")
        self._key = key
        self.public_key = public_key_text(key.public_key())

    @classmethod
    def from_file(cls, path: Path) -> Signer:
        """Load the private key file written by `yorisoi content keygen`."""
        try:
            return cls(path.read_bytes())
        except OSError as exc:
            raise PackError(f"cannot read the signing key {path}: {exc.strerror}", code="signing-key-missing") from exc

    def sign(self, version: str) -> str:
        """Base64 signature over a pack version id."""
        return base64.b64encode(self._key.sign(SIGNED_PREFIX + version.encode())).decode()


def verify_signature(public_key: str, version: str, signature: str) -> None:
    """Raise PackError (`pack-signature-invalid`) unless `signature` is the key's signature over `version`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not public_key.startswith(KEY_PREFIX):
        raise PackError("the content public key must look like ed25519:BASE64", code="public-key-invalid")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key.removeprefix(KEY_PREFIX), validate=True))
        key.verify(base64.b64decode(signature, validate=True), SIGNED_PREFIX + version.encode())
    except InvalidSignature as exc:
        raise PackError("the pack's signature does not match this kiosk's key", code="pack-signature-invalid") from exc
    except ValueError as exc:
        raise PackError(f"signature or key not readable: {exc}", code="pack-signature-invalid") from exc


def verify_pack(data: bytes, version: str, signature: str, public_key: str) -> Pack:
    """Everything a kiosk checks before trusting downloaded bytes: hash, canonical form, signature."""
    pack = read_pack(data, expected_version=version)
    verify_signature(public_key, version, signature)
    return pack


def lint_pack(pack: Pack) -> list:
    """`content check` on a pack's files (unpacked into a temporary folder): the same linter as the CLI."""
    import tempfile

    from content.lint import check

    with tempfile.TemporaryDirectory(prefix="yorisoi-pack-") as tmp:
        root = unpack(pack, Path(tmp) / "content")
        (root / "pictures").mkdir(exist_ok=True)
        return check(root / "procedures", root / "pictures")
