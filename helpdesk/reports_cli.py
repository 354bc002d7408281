"""`yorisoi report`: the trainers' workshop report as PDF, HTML or CSV (import-light)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> None:
    """Add `yorisoi report --procedure ID --since DATE --out report.pdf|.html|.csv`."""
    from helpdesk.analytics.cli import add_report_arguments, run_report

    p = subparsers.add_parser(name, help=help_text, description=help_text)
    add_report_arguments(p)
    p.set_defaults(handler=run_report)
