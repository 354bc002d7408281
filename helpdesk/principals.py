"""Who is calling: a kiosk (by its key) or a staff member (by session cookie or API token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class KioskPrincipal:
    """An authenticated kiosk; it may see only its own escalations."""

    kiosk_id: str
    site_id: str


@dataclass(frozen=True, slots=True)
class StaffPrincipal:
    """An authenticated staff member with a role and the sites assigned to them."""

    id: int
    login: str
    display_name: str
    role: Literal["staff", "trainer", "admin", "editor"]
    site_ids: frozenset[str]
    via: Literal["session", "token"]
    csrf_token: str | None = None
    session_hash: str | None = None
    password_change_required: bool = False
    """Set after an administrator's reset: the member must choose their own password before anything else."""

    def serves(self, site_id: str) -> bool:
        """True when this member works the queue of `site_id`."""
        return self.role == "staff" and site_id in self.site_ids
