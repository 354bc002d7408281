"""Boot from the shelf and switch packs at the start screen: the two moments the kiosk's content may change."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from content.loader import Catalog, load_catalog
from kiosk.guide import Guide
from kiosk.updater.shelf import Loaded, PackShelf
from kiosk.updater.updater import Updater

log = logging.getLogger(__name__)


def boot_content(config, helpdesk) -> tuple[Updater | None, Loaded | None]:
    """With a content public key configured: the shelf's newest verified pack (works with no network) and an
    updater fetching through `helpdesk` (None: nothing is fetched until a helpdesk is configured)."""
    if not config.content_public_key:
        return None, None
    shelf = PackShelf(config.content_store_path(), config.content_public_key)
    loaded = shelf.boot()
    fetch = getattr(helpdesk, "content_pack", None) or _no_helpdesk
    return Updater(shelf, fetch), loaded


def _no_helpdesk(_version: str) -> bytes:
    from kiosk.link.client import HelpdeskUnreachable

    raise HelpdeskUnreachable("no helpdesk configured")


def at_start_screen(state) -> bool:
    """Nobody is using the kiosk: the start screen, no session."""
    return not state.in_session and state.place.screen == "start"


def switch_at_start(kiosk) -> bool:
    """Move to a staged pack and new site values, only on the start screen with no session (call it from the
    clock). True if anything changed."""
    updater = kiosk.updater
    if updater is None or not at_start_screen(kiosk.runtime.state):
        return False
    values = updater.take_site_values()
    if values is not None:
        use_site_values(kiosk, values)
    if not updater.shelf.staged:
        return values is not None
    loaded = updater.take_staged()
    if loaded is None:
        return False
    catalog = load_catalog(loaded.folder / "procedures")
    use_catalog(kiosk, catalog, loaded.folder / "pictures", loaded.version)
    log.info("content switched to %s (%d procedures)", loaded.version[:12], len(catalog.procedures))
    return True


def site_values_for(config, updater: Updater | None) -> dict[str, str]:
    """The configuration's values (for a kiosk without a helpdesk), overridden by the helpdesk's, kept on disk."""
    return {**config.site_values, **(updater.shelf.site_values() if updater else {})}


def use_site_values(kiosk, values: dict[str, str]) -> None:
    """Fill `{site.NAME}` from the helpdesk's values from the next session on."""
    guide = kiosk.runtime.guide
    merged = {**kiosk.config.site_values, **values}
    kiosk.runtime.guide = Guide(guide.procedures, replace(guide.settings, site_values=merged))


def use_catalog(kiosk, catalog: Catalog, pictures: Path, version: str) -> None:
    """Guide from another catalog from the next session on (the guide keeps its settings)."""
    kiosk.runtime.guide = Guide(catalog.procedures, kiosk.runtime.guide.settings)
    kiosk.screen.picture_dir = pictures
    kiosk.catalog, kiosk.content_version = catalog, version
    if kiosk.courier is not None:  # events and help requests from the next session on name the new version
        kiosk.courier.content_version = version
