"""Kivy screens that draw a guide `ScreenView` and send the actions of touched buttons back (no logic here)."""
