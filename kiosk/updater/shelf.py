"""The kiosk's shelf of content packs on disk: the current one, the last good one, and one staged for the switch.

Every pack is verified (SHA-256 and the helpdesk's Ed25519 signature) before it is put on the shelf and again at
every boot, so a kiosk with no network starts from the newest pack that still verifies. Files are written to a
temporary name, flushed, then renamed, and the state file last: a power cut leaves the previous state intact.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from content.pack import Pack, PackError, lint_pack, pack_folder, unpack, verify_pack

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """A verified pack ready to guide from: its version id and the folder holding procedures/ and pictures/."""

    version: str
    folder: Path


class PackShelf:
    """Packs under `root`: packs/<version>.pack + .sig, unpacked/<version>/, state.json naming the roles."""

    def __init__(self, root: Path, public_key: str):
        self.root, self.public_key = root, public_key
        (root / "packs").mkdir(parents=True, exist_ok=True)
        (root / "unpacked").mkdir(parents=True, exist_ok=True)
        self.state = self._read_state()
        self._lock = threading.Lock()  # the updater's thread stages, the UI thread promotes

    @property
    def current(self) -> str | None:
        """The version guided from now."""
        return self.state.get("current")

    @property
    def staged(self) -> str | None:
        """A verified version waiting for the start screen."""
        return self.state.get("staged")

    def boot(self) -> Loaded | None:
        """The newest pack that still verifies (current, else last good); None when the shelf has none."""
        for role in ("current", "last_good"):
            version = self.state.get(role)
            if not version:
                continue
            try:
                loaded = self._load(version)
            except (PackError, OSError) as exc:
                log.warning("content pack %s (%s) unusable at boot: %s", version[:12], role, exc)
                continue
            if role != "current":
                self._write_state({**self.state, "current": version, "last_good": None})
            return loaded
        return None

    def stage(self, data: bytes, version: str, signature: str) -> Loaded:
        """Verify, lint and unpack a downloaded pack, then mark it staged. Raises PackError (nothing kept)."""
        pack = verify_pack(data, version, signature, self.public_key)
        errors = [p for p in lint_pack(pack) if p.severity == "error"]
        if errors:
            raise PackError(f"{len(errors)} content errors, e.g. {errors[0]}"[:200], code="pack-lint-failed")
        _write_atomically(self._pack_file(version), data)
        _write_atomically(self._sig_file(version), signature.encode())
        folder = self._unpack(pack)
        with self._lock:
            self._write_state({**self.state, "staged": version})
        return Loaded(version, folder)

    def promote(self) -> Loaded | None:
        """The staged pack becomes current, the current one the last good (called only at the start screen)."""
        with self._lock:
            version = self.staged
            if not version:
                return None
            last_good = self.current if self.current != version else self.state.get("last_good")
            self._write_state({**self.state, "last_good": last_good, "current": version, "staged": None})
            self._prune()
        return Loaded(version, self.root / "unpacked" / version)

    def site_values(self) -> dict[str, str]:
        """The site's values the helpdesk sent last (kept for a start with no network)."""
        try:
            values = json.loads((self.root / "site_values.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}

    def save_site_values(self, values: dict[str, str]) -> None:
        """Keep the site's values on disk."""
        _write_atomically(self.root / "site_values.json", json.dumps(values, sort_keys=True).encode())

    def _load(self, version: str) -> Loaded:
        data = self._pack_file(version).read_bytes()
        signature = self._sig_file(version).read_text(encoding="ascii").strip()
        pack = verify_pack(data, version, signature, self.public_key)
        folder = self.root / "unpacked" / version
        if not folder.is_dir() or pack_folder(folder).version != version:
            shutil.rmtree(folder, ignore_errors=True)  # edited or half-written: unpack again from the verified pack
            folder = self._unpack(pack)
        return Loaded(version, folder)

    def _unpack(self, pack: Pack) -> Path:
        final = self.root / "unpacked" / pack.version
        if final.is_dir():
            return final
        temporary = self.root / "unpacked" / f".{pack.version}.tmp"
        shutil.rmtree(temporary, ignore_errors=True)
        unpack(pack, temporary)
        (temporary / "pictures").mkdir(exist_ok=True)
        os.replace(temporary, final)
        return final

    def _prune(self) -> None:
        """Keep only current, last good and staged (a kiosk's disk is small)."""
        keep = {v for v in (self.current, self.state.get("last_good"), self.staged) if v}
        for path in (self.root / "packs").iterdir():
            if path.stem not in keep:
                path.unlink(missing_ok=True)
        for path in (self.root / "unpacked").iterdir():
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    def _pack_file(self, version: str) -> Path:
        return self.root / "packs" / f"{version}.pack"

    def _sig_file(self, version: str) -> Path:
        return self.root / "packs" / f"{version}.sig"

    def _read_state(self) -> dict:
        try:
            state = json.loads((self.root / "state.json").read_text(encoding="utf-8"))
            return state if isinstance(state, dict) else {}
        except (OSError, ValueError):
            return {}

    def _write_state(self, state: dict) -> None:
        """Write first, then let readers see it: the file and memory never disagree about a staged pack."""
        _write_atomically(self.root / "state.json", json.dumps(state, sort_keys=True).encode())
        self.state = state


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
