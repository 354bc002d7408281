"""`yorisoi content check|schema`: lint procedure files, export the JSON Schema for editors."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Add `yorisoi content ...` to the command line; returns its actions so the helpdesk can add publishing."""
    parser = subparsers.add_parser(name, help=help_text)
    sub = parser.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="report every problem in a content folder (exit 1 on errors)")
    check.add_argument("path", nargs="?", type=Path, help="content folder or procedures folder (default: shipped)")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.set_defaults(handler=run_check)
    schema = sub.add_parser("schema", help="print the JSON Schema of a procedure file")
    schema.set_defaults(handler=run_schema)
    keygen = sub.add_parser("keygen", help="make the Ed25519 key content versions are signed with")
    keygen.add_argument("--out", type=Path, required=True, help="private key file to write (helpdesk host only)")
    keygen.set_defaults(handler=run_keygen)
    return sub


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


def run_keygen(args: argparse.Namespace) -> int:
    """Write a new private key (owner-only file) and print the public key line for kiosk configurations."""
    from content.pack import generate_key, write_private_key

    pem, public = generate_key()
    try:
        write_private_key(args.out, pem)
    except FileExistsError:
        print(f"{args.out} exists: a key is never overwritten (kiosks trust it); choose another path", file=sys.stderr)
        return 1
    print(f"private key written to {args.out}: keep it on the helpdesk host only (YORISOI_CONTENT_SIGNING_KEY_FILE)")
    print("put this line in every kiosk's configuration:")
    print(f"content_public_key: {public}")
    return 0
