"""The kiosk configuration file: validated at start, errors name the field."""

from __future__ import annotations

import pytest

from kiosk.config import ConfigError, hash_pin, load_config, parse_config

MINIMAL = {"site": "北公民館", "kiosk_id": "kita-1", "helpdesk_url": "https://helpdesk.example.jp"}


def test_toml_file_with_relative_key_file(tmp_path):
    (tmp_path / "kiosk.key").write_text("ysk_secret\n")
    path = tmp_path / "kiosk.toml"
    path.write_text(
        'site = "北公民館"\nkiosk_id = "kita-1"\nhelpdesk_url = "https://helpdesk.example.jp"\nkey_file = "kiosk.key"\n'
        'languages = ["ja", "en"]\ntheme = "high-contrast"\n[timeouts]\nidle_warning_s = 120\n'
    )
    config = load_config(path)
    assert config.kiosk_key() == "ysk_secret"
    assert config.languages == ("ja", "en") and config.theme == "high-contrast"
    settings = config.guide_settings()
    assert settings.idle_warning_s == 120 and settings.languages == ("ja", "en")


def test_yaml_file(tmp_path):
    path = tmp_path / "kiosk.yaml"
    path.write_text(
        "site: 北公民館\nkiosk_id: kita-1\nhelpdesk_url: https://helpdesk.example.jp\nfallback_phone: 03-1234-5678\n"
    )
    assert load_config(path).guide_settings().fallback_phone == "03-1234-5678"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kiosk_id": "Kita 1"}, "kiosk_id"),
        ({"helpdesk_url": "ftp://x"}, "helpdesk_url"),
        ({"timeouts": {"warning_grace_s": 5}}, "timeouts.warning_grace_s"),
        ({"languages": ["ja", "fr"]}, "languages.1"),
        ({"theme": "dark"}, "theme"),
        ({"sitee": "typo"}, "sitee"),
        ({"maintenance": {"pin_sha256": "1234"}}, "maintenance.pin_sha256"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(change, field):
    with pytest.raises(ConfigError) as caught:
        parse_config({**MINIMAL, **change}, "kiosk.toml")
    assert f"  {field}:" in str(caught.value) and "kiosk.toml" in str(caught.value)
    assert caught.value.code == "kiosk-config-invalid"


def test_default_language_must_be_offered():
    with pytest.raises(ConfigError, match="default_language"):
        parse_config({**MINIMAL, "languages": ["en"]})


def test_unreadable_file_and_bad_syntax(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("site = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_missing_or_empty_key_file(tmp_path):
    config = parse_config({**MINIMAL, "key_file": str(tmp_path / "none.key")})
    with pytest.raises(ConfigError, match="key_file"):
        config.kiosk_key()
    (tmp_path / "empty.key").write_text("\n")
    with pytest.raises(ConfigError, match="empty"):
        parse_config({**MINIMAL, "key_file": str(tmp_path / "empty.key")}).kiosk_key()


def test_maintenance_pin_is_checked_against_its_hash():
    config = parse_config({**MINIMAL, "maintenance": {"pin_sha256": hash_pin("2468")}})
    assert config.maintenance.pin_matches("2468")
    assert not config.maintenance.pin_matches("2469")
    assert not parse_config(MINIMAL).maintenance.pin_matches("")


def test_the_deploy_example_is_a_valid_configuration():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "deploy" / "kiosk" / "kiosk.example.yaml"
    if not example.exists():
        pytest.skip("no deploy example in this checkout")
    config = load_config(example)
    assert config.kiosk_id and config.guide_settings().languages == tuple(config.languages)


def test_help_offers_are_configured_per_site():
    from kiosk.config import parse_config

    config = parse_config(
        {
            "site": "s",
            "kiosk_id": "k",
            "helpdesk_url": "http://127.0.0.1:9",
            "help_offers": {"quiet": True, "signals": ["repeat", "oscillation"], "repeats": 4},
        }
    )
    stuck = config.guide_settings().stuck
    assert stuck.quiet and stuck.enabled == frozenset({"repeat", "oscillation"}) and stuck.repeats == 4
    with pytest.raises(Exception, match="help_offers"):
        parse_config(
            {
                "site": "s",
                "kiosk_id": "k",
                "helpdesk_url": "http://127.0.0.1:9",
                "help_offers": {"signals": ["sneezing"]},
            }
        )
