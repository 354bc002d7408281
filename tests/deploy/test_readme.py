"""deploy/README.md and deploy/ agree: every file the README names exists, every file we ship is explained."""

from __future__ import annotations

import re
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
BRACES = re.compile(r"([\w./-]*)\{([\w,]+)\}([\w./*-]*)")


def _expanded(text: str) -> str:
    """Shell brace expansion of the README's paths: systemd/yorisoi-{a,b}.service → both names."""
    return BRACES.sub(lambda m: " ".join(m[1] + part + m[3] for part in m[2].split(",")), text)


README = _expanded((DEPLOY / "README.md").read_text())


def _shipped() -> list[Path]:
    return sorted(p.relative_to(DEPLOY) for p in DEPLOY.rglob("*") if p.is_file() and p.name != "README.md")


def test_every_shipped_file_is_explained_in_the_readme() -> None:
    named = README
    unexplained = []
    for path in _shipped():
        stem = str(path).rsplit(".", 1)[0] if path.suffix in (".service", ".timer") else str(path)
        if stem not in named and path.name not in named:
            unexplained.append(str(path))
    assert not [p for p in unexplained if "__pycache__" not in p], f"not in deploy/README.md: {unexplained}"


def test_every_deploy_path_the_readme_names_exists() -> None:
    checked = 0
    for match in re.findall(r"(?:deploy/|\]\()((?:systemd|kiosk|nginx)/[\w./*-]+|[\w-]+\.(?:sh|yaml|example))", README):
        path = match.rstrip(".")
        if path.endswith(".*"):
            assert list(DEPLOY.glob(path)), path
            checked += 1
            continue
        assert (DEPLOY / path).exists(), f"deploy/README.md names {path}, which does not exist"
        checked += 1
    assert checked >= 10, "the path pattern no longer finds the README's paths"


def test_the_readme_covers_every_task_an_operator_has() -> None:
    for heading in (
        "Install a helpdesk",
        "Install a kiosk",
        "Administer",
        "Rotate keys",
        "Upgrade",
        "Back up",
        "Restore",
        "Connection pooling",
    ):
        assert re.search(rf"^#+ {heading}", README, flags=re.MULTILINE), heading
    for command in ("add-site", "add-kiosk", "add-staff", "rotate-kiosk-key", "revoke-kiosk", "migrate"):
        assert f"yh {command}" in README or f"yorisoi-{command}" in README or f"helpdesk {command}" in README, command
