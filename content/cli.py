"""`yorisoi content check|schema`: lint procedure files, export the JSON Schema for editors."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str) -> None:
    """Add `yorisoi content ...` to the command line."""
    parser = subparsers.add_parser(name, help=help_text)
    sub = parser.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="report every problem in a content folder (exit 1 on errors)")
    check.add_argument("path", nargs="?", type=Path, help="content folder or procedures folder (default: shipped)")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.set_defaults(handler=run_check)
    schema = sub.add_parser("schema", help="print the JSON Schema of a procedure file")
    schema.set_defaults(handler=run_schema)


def _procedures_dir(path: Path | None) -> Path:
    from content.loader import PACKAGED

    if path is None:
        return PACKAGED / "procedures"
    return path / "procedures" if (path / "procedures").is_dir() else path


def run_check(args: argparse.Namespace) -> int:
    """Lint and print errors then warnings; exit 1 when there is any error (or warning with --strict)."""
    from content.lint import check
    from content.loader import load_catalog

    directory = _procedures_dir(args.path)
    problems = check(directory)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    for problem in errors + warnings:
        print(problem)
    loaded = len(load_catalog(directory).procedures)
    print(
        f"{loaded} procedures checked in {directory}: {len(errors)} errors, {len(warnings)} warnings",
        file=sys.stderr,
    )
    return 1 if errors or (args.strict and warnings) else 0


def run_schema(_args: argparse.Namespace) -> int:
    """Print the JSON Schema of the procedure format."""
    from content.schema import Procedure

    print(json.dumps(Procedure.model_json_schema(by_alias=True), ensure_ascii=False, indent=2))
    return 0
