"""Published versions as the console reads them: the catalog and pictures of one exact version, kept in memory for
the few versions in use (escalations name the version the resident's screens came from)."""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from content.loader import Catalog, load_catalog
from content.pack import PackError, read_pack, unpack
from helpdesk.content_store.versions import pack_bytes
from helpdesk.database import Database
from helpdesk.errors import NotFound


@dataclass(frozen=True)
class VersionContent:
    """One version's procedures (loaded) and pictures (bytes by file name)."""

    version: str
    catalog: Catalog
    pictures: dict[str, bytes]


class VersionCatalogs:
    """A small LRU of loaded versions; every load checks the stored pack against its id."""

    def __init__(self, db: Database, keep: int = 8):
        self.db, self.keep = db, keep
        self._loaded: OrderedDict[str, VersionContent] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version: str | None) -> VersionContent | None:
        """The content of a stored version (None: no version given, or not stored on this helpdesk)."""
        if not version:
            return None
        with self._lock:
            if version in self._loaded:
                self._loaded.move_to_end(version)
                return self._loaded[version]
        try:
            pack = read_pack(pack_bytes(self.db, version), expected_version=version)
        except (NotFound, PackError):
            return None
        with tempfile.TemporaryDirectory(prefix="yorisoi-version-") as tmp:
            catalog = load_catalog(unpack(pack, Path(tmp) / "c") / "procedures")
        pictures = {p.split("/", 1)[1]: data for p, data in pack.files.items() if p.startswith("pictures/")}
        loaded = VersionContent(version, catalog, pictures)
        with self._lock:
            self._loaded[version] = loaded
            while len(self._loaded) > self.keep:
                self._loaded.popitem(last=False)
        return loaded
