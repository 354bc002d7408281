"""The one `yorisoi` command: each part registers its own subcommands, imported lazily so a helpdesk
machine without Kivy and a kiosk without FastAPI both get a working CLI."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from yorisoi import __version__

# (subcommand, module that defines `register(subparsers)`, one-line help)
PARTS: list[tuple[str, str, str]] = [
    ("content", "content.cli", "check and export procedure content"),
    ("helpdesk", "helpdesk.cli", "run and administer the helpdesk service"),
    ("voice", "voice.cli", "check, try speech output and voice commands"),
    ("kiosk", "kiosk.cli", "run the resident kiosk"),
    ("demo", "yorisoi.demo", "embedded helpdesk on SQLite + kiosk, ready to try"),
    ("report", "helpdesk.analytics.cli", "trainer workshop report"),
    ("handout", "helpdesk.analytics.cli", "printable handout for one procedure"),
    ("replay", "helpdesk.analytics.cli", "anonymised sessions as a file for a workshop kiosk"),
]


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every part whose module is installed."""
    parser = argparse.ArgumentParser(prog="yorisoi", description="Yorisoi digital-divide support system")
    parser.add_argument("--version", action="version", version=f"yorisoi {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="say more on the terminal (-v: progress, -vv: debug)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name, help_text in PARTS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # this part is not built yet
            missing = exc.name
            p = sub.add_parser(name, help=f"{help_text} (unavailable: {missing} not installed)")
            p.set_defaults(handler=_unavailable(name, missing))
            continue
        actions = module.register(sub, name, help_text)
        if name == "content" and actions is not None:
            _add_publishing(actions)
    return parser


def _add_publishing(actions: argparse._SubParsersAction) -> None:
    """`yorisoi content publish|versions|rollout|rollback|export` live with the helpdesk (content imports nothing)."""
    try:
        from helpdesk.content_store import cli
    except ModuleNotFoundError:
        return  # a kiosk without the helpdesk's dependencies: check and keygen only
    cli.add_actions(actions)


def _unavailable(name: str, missing: str | None):
    def handler(_args: argparse.Namespace) -> int:
        print(
            f"yorisoi {name}: needs the Python package '{missing}', which is not installed here.\n"
            f"Install the matching extra, e.g. pip install 'yorisoi[all]'.",
            file=sys.stderr,
        )
        return 2

    return handler


def configure_logging(verbosity: int) -> None:
    """Warnings and errors on the terminal by default; -v adds progress, -vv everything (libraries included).

    Kivy is told to log through Python's logging instead of taking over the root logger (otherwise every library's
    DEBUG lines, urllib3's per request, flood the terminal of a user who only wants the console address), to keep no
    configuration or log files of its own (the kiosk sets its window in code), and its start-up INFO lines are shown
    only at -vv."""
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONFIG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbosity, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if verbosity < 2:  # libraries' chatter only at -vv (Kivy resets its own logger's level, so filter the output)
        quiet = _LibraryChatter()
        for handler in logging.getLogger().handlers:
            handler.addFilter(quiet)


class _LibraryChatter(logging.Filter):
    """Drops libraries' records below WARNING (Kivy's start-up report, urllib3's connections)."""

    LIBRARIES = ("kivy", "urllib3", "PIL", "asyncio", "multipart", "httpx", "httpcore")

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the project's records and every library warning."""
        return record.levelno >= logging.WARNING or record.name.split(".")[0] not in self.LIBRARIES


def main(argv: list[str] | None = None) -> int:
    """Run the `yorisoi` command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
