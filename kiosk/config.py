"""The kiosk's configuration file (TOML or YAML), validated at start with errors that name the field."""

from __future__ import annotations

import hashlib
import hmac
import tomllib
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kiosk.guide import GuideSettings
from kiosk.guide.stuck import SIGNALS, StuckSettings
from yorisoi.vocabulary import LANGUAGES, Language


class ConfigError(Exception):
    """The configuration file is missing or invalid; the message names the file and the field."""

    code = "kiosk-config-invalid"


class Strict(BaseModel):
    """Unknown keys are refused: a typo in the file must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Timeouts(Strict):
    """Seconds before the inactivity warning, the grace it gives, and the help fallback."""

    idle_warning_s: Annotated[float, Field(ge=30, le=3600)] = 180
    warning_grace_s: Annotated[float, Field(ge=30, le=600)] = 60
    waiting_idle_warning_s: Annotated[float, Field(ge=60, le=7200)] = 900
    away_idle_warning_s: Annotated[float, Field(ge=60, le=3600)] = 600  # phone and convenience-store steps
    help_fallback_after_s: Annotated[float, Field(ge=10, le=3600)] = 300


class HelpOffers(Strict):
    """When the kiosk offers help by itself (per site): which signals, their thresholds, quiet mode for workshops."""

    signals: tuple[Literal["time-on-step", "oscillation", "repeat", "extend", "voice"], ...] = SIGNALS
    quiet: bool = False
    """Record the signals but never offer (a trainer is in the room)."""
    base_seconds: Annotated[float, Field(ge=10, le=600)] = 40.0
    seconds_per_char: Annotated[float, Field(ge=0, le=10)] = 0.8
    oscillations: Annotated[int, Field(ge=2, le=20)] = 3
    repeats: Annotated[int, Field(ge=2, le=20)] = 3
    extends: Annotated[int, Field(ge=1, le=20)] = 2
    voice_misses: Annotated[int, Field(ge=2, le=20)] = 3

    def settings(self, step_seconds: dict[str, float] | None = None) -> StuckSettings:
        """The engine's stuck-detector settings (with per-step thresholds served by the helpdesk, if any)."""
        return StuckSettings(
            enabled=frozenset(self.signals),
            quiet=self.quiet,
            step_seconds=dict(step_seconds or {}),
            base_seconds=self.base_seconds,
            seconds_per_char=self.seconds_per_char,
            oscillations=self.oscillations,
            repeats=self.repeats,
            extends=self.extends,
            voice_misses=self.voice_misses,
        )


class CallAudio(Strict):
    """Voice calls with staff: on or off, and the audio devices (FFmpeg names). A USB speakerphone with echo
    cancellation is the hardware that works (aiortc has no software echo cancellation)."""

    enabled: bool = True
    microphone: Annotated[str, Field(min_length=1, max_length=300)] = "default"
    microphone_format: Literal["pulse", "alsa"] | None = "pulse"
    """None: `microphone` is an audio file played in a loop (demos and tests)."""
    speaker: Annotated[str, Field(min_length=1, max_length=300)] | None = "default"
    speaker_format: Literal["pulse", "alsa"] | None = "pulse"


class Maintenance(Strict):
    """The staff-only screen: N touches in the top-left corner within a window, then a PIN (stored hashed)."""

    touches: Annotated[int, Field(ge=3, le=10)] = 5
    within_s: Annotated[float, Field(gt=0, le=10)] = 3.0
    pin_sha256: Annotated[str | None, Field(pattern=r"^[0-9a-f]{64}$")] = None

    def pin_matches(self, pin: str) -> bool:
        """True when `pin` hashes to the configured PIN hash (no hash configured: never)."""
        if not self.pin_sha256:
            return False
        digest = hashlib.sha256(f"yorisoi-maintenance:{pin}".encode()).hexdigest()
        return hmac.compare_digest(digest, self.pin_sha256)


def hash_pin(pin: str) -> str:
    """The value to put in `maintenance.pin_sha256` for a PIN."""
    return hashlib.sha256(f"yorisoi-maintenance:{pin}".encode()).hexdigest()


class KioskConfig(Strict):
    """Everything one kiosk needs to know about itself and its site."""

    site: Annotated[str, Field(min_length=1, max_length=80)]
    kiosk_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    helpdesk_url: Annotated[str, Field(pattern=r"^https?://[^\s/]+(/\S*)?$")]
    key_file: Path | None = None
    ca_file: Path | None = None
    languages: tuple[Language, ...] = LANGUAGES
    default_language: Language = "ja"
    fallback_phone: Annotated[str, Field(max_length=30)] = ""
    counter_name: dict[str, str] = Field(default_factory=lambda: dict(GuideSettings().counter_name))
    timeouts: Timeouts = Timeouts()
    site_values: dict[str, str] = Field(default_factory=dict)
    """Fallback for `{site.NAME}` when no helpdesk is configured; the helpdesk's site settings override it."""
    handout_url: str | None = None
    theme: Literal["standard", "high-contrast"] = "standard"
    voice: bool = True
    voice_input: bool = False
    content_dir: Path | None = None
    content_public_key: Annotated[str | None, Field(pattern=r"^ed25519:[A-Za-z0-9+/]{43}=$")] = None
    """The helpdesk's content signing key (`yorisoi content keygen`): with it the kiosk updates its content itself."""
    content_store: Path | None = None
    heartbeat_s: Annotated[float, Field(ge=1, le=3600)] = 30.0
    """Seconds between status reports (each answer also names the content version the site should run)."""
    """Where verified packs are kept (current, last good, staged); by default in the user's state directory."""
    font_fallback: Path | None = None
    maintenance: Maintenance = Maintenance()
    outbox_file: Path | None = None
    help_offers: HelpOffers = HelpOffers()
    """The durable outbox (SQLite); by default in the user's state directory."""
    call: CallAudio = CallAudio()
    card_reader: bool = True
    """Offer the card check (PIN tries left) whenever pcscd reports a reader; false: never look for one."""
    card_reader_name: Annotated[str, Field(max_length=80)] = ""
    """Use the first reader whose name contains this (empty: the first reader pcscd lists)."""

    @field_validator("languages")
    @classmethod
    def _some_language(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or len(set(value)) != len(value):
            raise ValueError("list one or more of ja, ja-easy, en, each once")
        return value

    def outbox_path(self) -> Path:
        """Where undelivered help requests and session events wait (survives restarts)."""
        if self.outbox_file:
            return self.outbox_file
        from platformdirs import user_state_dir

        return Path(user_state_dir("yorisoi", appauthor=False)) / f"outbox-{self.kiosk_id}.sqlite3"

    def content_store_path(self) -> Path:
        """Where this kiosk keeps its content packs."""
        if self.content_store:
            return self.content_store
        from platformdirs import user_state_dir

        return Path(user_state_dir("yorisoi", appauthor=False)) / f"content-{self.kiosk_id}"

    def guide_settings(self) -> GuideSettings:
        """The engine's settings from this configuration."""
        t = self.timeouts
        return GuideSettings(
            idle_warning_s=t.idle_warning_s,
            warning_grace_s=t.warning_grace_s,
            waiting_idle_warning_s=t.waiting_idle_warning_s,
            away_idle_warning_s=t.away_idle_warning_s,
            help_fallback_after_s=t.help_fallback_after_s,
            languages=tuple(self.languages),
            default_language=self.default_language,
            counter_name=dict(self.counter_name),
            fallback_phone=self.fallback_phone,
            site_values=dict(self.site_values),
            handout_url=self.handout_url,
            stuck=self.help_offers.settings(),
        )

    def kiosk_key(self) -> str | None:
        """The kiosk's API key, read from `key_file` (None when no key file is configured)."""
        if self.key_file is None:
            return None
        try:
            key = self.key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"key_file: cannot read {self.key_file}: {exc.strerror}") from exc
        if not key:
            raise ConfigError(f"key_file: {self.key_file} is empty")
        return key


def parse_config(data: object, source: str = "configuration") -> KioskConfig:
    """Validate already-parsed data; errors list every bad field by its dotted name."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a table of settings at the top level")
    try:
        config = KioskConfig.model_validate(data)
    except ValidationError as exc:
        lines = [f"{source}: invalid configuration"]
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]) or "(top level)"
            lines.append(f"  {field}: {error['msg']}")
        raise ConfigError("\n".join(lines)) from None
    if config.default_language not in config.languages:
        raise ConfigError(f"{source}: default_language: '{config.default_language}' is not in languages")
    return config


def load_config(path: str | Path) -> KioskConfig:
    """Read and validate a kiosk configuration file (.toml, .yaml or .yml)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: not valid {'TOML' if path.suffix == '.toml' else 'YAML'}: {exc}") from exc
    config = parse_config(data, str(path))
    base = path.parent
    paths = ("key_file", "ca_file", "content_dir", "content_store")
    updates = {k: base / v for k in paths if (v := getattr(config, k)) and not v.is_absolute()}
    return config.model_copy(update=updates) if updates else config
