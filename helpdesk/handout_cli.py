"""`yorisoi handout`: a printable handout for one procedure and language (import-light)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> None:
    """Add `yorisoi handout ID --lang ja --out X.pdf|.html`."""
    from helpdesk.analytics.cli import add_handout_arguments, run_handout

    p = subparsers.add_parser(name, help=help_text, description=help_text)
    add_handout_arguments(p)
    p.set_defaults(handler=run_handout)
