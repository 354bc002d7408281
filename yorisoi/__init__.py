"""Yorisoi: the distribution's command-line entry point (the parts live in kiosk, helpdesk, content, voice)."""

__version__ = "0.1.0"
