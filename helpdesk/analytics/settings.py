"""Analytics settings (`YORISOI_ANALYTICS_*`), created once when the routes are mounted or a CLI command runs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AnalyticsSettings(BaseSettings):
    """Minimum data before numbers are served, the period thresholds look back on, and the trainers' time zone."""

    model_config = SettingsConfigDict(env_prefix="YORISOI_ANALYTICS_", extra="ignore")

    threshold_min_sessions: int = Field(default=30, ge=1)
    """A step's p90 is served to kiosks only once this many sessions have reached the step."""
    threshold_days: int = Field(default=90, ge=1)
    """Thresholds look back this many days (content changes; old behaviour fades out)."""
    report_min_sessions: int = Field(default=20, ge=1)
    """Steps seen by fewer sessions are left out of the hardest-steps ranking."""
    timezone: str = "Asia/Tokyo"

    def utc_offset_s(self) -> int:
        """The trainers' time zone's current offset from UTC, in seconds."""
        offset = dt.datetime.now(ZoneInfo(self.timezone)).utcoffset()
        return int(offset.total_seconds()) if offset else 0

    def local_midnight(self, day: dt.date) -> dt.datetime:
        """The start of a local calendar day, in UTC."""
        return dt.datetime.combine(day, dt.time(), ZoneInfo(self.timezone)).astimezone(dt.UTC)
