"""`yorisoi kiosk --check`: the configuration is validated before any window opens."""

from __future__ import annotations

from yorisoi.cli import main


def test_check_accepts_a_valid_configuration(tmp_path, capsys):
    path = tmp_path / "kiosk.toml"
    path.write_text('site = "北"\nkiosk_id = "kita-1"\nhelpdesk_url = "https://helpdesk.example.jp"\n')
    assert main(["kiosk", "--config", str(path), "--check"]) == 0
    assert "kita-1" in capsys.readouterr().out


def test_check_refuses_an_invalid_configuration_naming_the_field(tmp_path, capsys):
    path = tmp_path / "kiosk.toml"
    path.write_text('site = "北"\nkiosk_id = "KITA 1"\nhelpdesk_url = "https://helpdesk.example.jp"\n')
    assert main(["kiosk", "--config", str(path), "--check"]) == 2
    err = capsys.readouterr().err
    assert "kiosk-config-invalid" in err and "kiosk_id" in err


def test_missing_font_fails_with_a_clear_message(tmp_path, capsys, monkeypatch):
    import kiosk.fonts as fonts

    monkeypatch.setattr(fonts, "KNOWN_PATHS", ())
    monkeypatch.setattr(fonts, "_fc_match", lambda family: None)
    path = tmp_path / "kiosk.toml"
    path.write_text('site = "北"\nkiosk_id = "kita-1"\nhelpdesk_url = "https://helpdesk.example.jp"\n')
    assert main(["kiosk", "--config", str(path), "--check"]) == 2
    err = capsys.readouterr().err
    assert "font-missing" in err and "fonts-morisawa-bizud-gothic" in err


def test_configured_fallback_font_is_used_when_biz_ud_is_absent(tmp_path, monkeypatch):
    import kiosk.fonts as fonts

    monkeypatch.setattr(fonts, "KNOWN_PATHS", ())
    monkeypatch.setattr(fonts, "_fc_match", lambda family: None)
    fallback = tmp_path / "Fallback-Regular.ttf"
    fallback.write_bytes(b"")
    assert fonts.find_japanese_font(fallback).regular == fallback


def test_biz_ud_p_gothic_is_found_when_installed():
    from kiosk.fonts import find_japanese_font

    font = find_japanese_font()
    assert "BIZUDPGothic" in font.regular.name and font.bold is not None


class RecordingWindow:
    """Records the handlers a Kivy Window would be given."""

    def __init__(self):
        self.handlers = {}

    def bind(self, **handlers):
        self.handlers.update(handlers)


def test_kiosk_mode_refuses_close_and_swallows_keys_until_a_signal_stops_it():
    from kiosk.ui.window import lock_down

    window, stopping = RecordingWindow(), [False]
    lock_down(window, stopping)
    assert window.handlers["on_request_close"]() is True  # refused: residents cannot close it
    assert window.handlers["on_keyboard"](window, 27, 41, None, []) is True  # Esc swallowed
    stopping[0] = True
    assert window.handlers["on_request_close"]() is False


def test_fullscreen_window_settings():
    from kivy.config import Config

    from kiosk.ui.window import configure_window

    saved = {k: Config.get("graphics", k) for k in ("fullscreen", "borderless", "width", "height")}
    saved_escape = Config.get("kivy", "exit_on_escape")
    try:
        configure_window(True, (1366, 768))
        assert Config.get("graphics", "fullscreen") == "auto" and Config.get("graphics", "borderless") == "1"
        assert Config.get("kivy", "exit_on_escape") == "0"
    finally:
        for key, value in saved.items():
            Config.set("graphics", key, value)
        Config.set("kivy", "exit_on_escape", saved_escape)
