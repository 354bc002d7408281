"""deploy/compose.yaml, deploy/Dockerfile and deploy/env.example agree with each other and with the helpdesk:
every helpdesk setting is documented with its real default, compose wires PostgreSQL, migrations, the helpdesk
and nginx together with healthchecks, and the image holds every module the helpdesk imports."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpdesk.settings import HelpdeskSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTING_LINE = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _env_example() -> dict[str, tuple[bool, str, list[str]]]:
    """NAME → (set, value, the comment lines just above it) for every NAME=value line, commented out or not."""
    found: dict[str, tuple[bool, str, list[str]]] = {}
    comments: list[str] = []
    for raw in (DEPLOY / "env.example").read_text().splitlines():
        line = raw.strip()
        match = SETTING_LINE.match(line)
        if match:
            found[match[2]] = (match[1] is None, match[3], comments)
        elif line.startswith("#"):
            comments = [*comments, line.lstrip("# ")]
            continue
        else:
            comments = []
    return found


def _fields() -> dict[str, object]:
    return {f"YORISOI_{name.upper()}": field for name, field in HelpdeskSettings.model_fields.items()}


def test_compose_file_parses_with_the_five_services() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "migrate", "helpdesk", "nginx", "turn"}
    turn = services["turn"]  # TURN: host networking (hundreds of UDP relay ports), the secret only from .env
    assert turn["network_mode"] == "host" and any("${TURN_SECRET:?" in part for part in turn["command"])


def test_every_helpdesk_setting_is_documented_in_env_example() -> None:
    documented = _env_example()
    missing = sorted(set(_fields()) - set(documented))
    assert not missing, f"add these to deploy/env.example with a comment: {missing}"
    for name in _fields():
        _, _, comments = documented[name]
        assert any(len(c.split()) >= 4 for c in comments), f"{name} has no explanation above it"


def test_env_example_names_no_setting_the_helpdesk_does_not_have() -> None:
    unknown = sorted(n for n in _env_example() if n.startswith("YORISOI_") and n not in _fields())
    assert not unknown, f"YORISOI_* names the helpdesk ignores (typo?): {unknown}"


def test_commented_out_settings_show_the_real_defaults() -> None:
    for name, (is_set, value, _) in _env_example().items():
        if name not in _fields() or is_set:
            continue
        field = name.removeprefix("YORISOI_").lower()
        parsed = getattr(HelpdeskSettings(_env_file=None, **{field: value}), field)
        assert parsed == HelpdeskSettings.model_fields[field].default, f"{name}: env.example says {value}"


def test_env_example_holds_no_secret_and_compose_refuses_the_placeholder() -> None:
    documented = _env_example()
    assert documented["POSTGRES_PASSWORD"][:2] == (True, "")
    text = (DEPLOY / "compose.yaml").read_text()
    uses = re.findall(r"\$\{POSTGRES_PASSWORD(:\?)?", text)
    assert uses and all(uses), "every use of POSTGRES_PASSWORD must refuse an empty value (${POSTGRES_PASSWORD:?...})"
    url = documented["YORISOI_DATABASE_URL"][1]
    assert "@" not in url  # no credentials in the example


def test_every_variable_compose_reads_is_documented() -> None:
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", (DEPLOY / "compose.yaml").read_text()))
    assert used, "compose.yaml reads no variables?"
    assert not sorted(used - set(_env_example())), "document these in env.example"


def test_helpdesk_and_migrate_use_the_compose_postgres() -> None:
    services = _compose()["services"]
    pg_env = services["postgres"]["environment"]
    for name in ("helpdesk", "migrate"):
        service = services[name]
        assert service["env_file"] == ".env"
        url = service["environment"]["YORISOI_DATABASE_URL"]
        assert url.startswith(f"postgresql+psycopg://{pg_env['POSTGRES_USER']}:")
        assert url.endswith(f"@postgres:5432/{pg_env['POSTGRES_DB']}")
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
    assert "synchronous_commit=on" in services["postgres"]["command"]
    assert services["migrate"]["command"] == ["yorisoi", "helpdesk", "migrate"]


def test_startup_order_and_healthchecks() -> None:
    services = _compose()["services"]
    for name in ("postgres", "helpdesk", "nginx"):
        assert services[name]["healthcheck"]["test"], name
    helpdesk = services["helpdesk"]
    assert helpdesk["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert helpdesk["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["nginx"]["depends_on"]["helpdesk"]["condition"] == "service_healthy"
    command = helpdesk["command"]
    assert command[:3] == ["yorisoi", "helpdesk", "serve"] and "--no-migrate" in command
    port = command[command.index("--port") + 1]
    assert f"http://127.0.0.1:{port}/healthz" in " ".join(helpdesk["healthcheck"]["test"])
    assert f"server helpdesk:{port} " in (DEPLOY / "nginx/yorisoi.conf").read_text()


def test_only_nginx_is_published() -> None:
    compose = _compose()
    services = compose["services"]
    assert [n for n, s in services.items() if s.get("ports")] == ["nginx"]
    assert compose["networks"]["backend"]["internal"] is True
    for name in ("postgres", "helpdesk", "migrate"):
        assert services[name]["networks"] == ["backend"]


def test_nginx_gets_our_config_and_the_certificates_where_it_looks() -> None:
    volumes = _compose()["services"]["nginx"]["volumes"]
    conf = next(v for v in volumes if "yorisoi.conf" in v)
    source, target, _ = conf.split(":")
    assert (DEPLOY / source).is_file() and target.startswith("/etc/nginx/conf.d/")
    tls_target = next(v.rsplit(":", 2)[1] for v in volumes if "TLS_DIR" in v)
    for path in re.findall(r"ssl_certificate(?:_key)?\s+(\S+);", (DEPLOY / "nginx/yorisoi.conf").read_text()):
        assert path.startswith(tls_target + "/")


def _dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text()


def test_dockerfile_installs_the_helpdesk_extra_from_files_that_exist() -> None:
    text = _dockerfile()
    assert "pip install --no-cache-dir '.[helpdesk]'" in text
    import tomllib

    assert "helpdesk" in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for sources in re.findall(r"^COPY (?!--from)(.+) \S+$", text, flags=re.MULTILINE):
        for source in sources.split():
            assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
    assert re.search(r"^USER yorisoi$", text, flags=re.MULTILINE)


@pytest.mark.slow
def test_the_image_holds_every_module_the_helpdesk_imports(tmp_path: Path) -> None:
    """Only the folders the Dockerfile copies, with kiosk and voice absent: the app and the CLI still import."""
    copied = [
        s.rstrip("/")
        for s in re.findall(r"^COPY (\S+) \./\S+$", _dockerfile(), flags=re.MULTILINE)
        if (ROOT / s).is_dir()
    ]
    assert "helpdesk" in copied
    for folder in copied:
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    probe = (
        "import sys\n"
        "sys.modules['kiosk'] = sys.modules['voice'] = None\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import helpdesk.api.app, helpdesk.cli, helpdesk.database, yorisoi.cli\n"
        f"assert helpdesk.__file__.startswith({str(tmp_path)!r}), helpdesk.__file__\n"
        "names = [a.dest for a in yorisoi.cli.build_parser()._actions if a.dest == 'command']\n"
        "print('ok', names)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode:
        pytest.skip("the docker compose plugin is not installed here; the YAML checks above still ran")
    env = tmp_path / ".env"
    env.write_text((DEPLOY / "env.example").read_text().replace("POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=abc123\n"))
    done = subprocess.run(
        [docker, "compose", "-f", str(DEPLOY / "compose.yaml"), "--env-file", str(env), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_helpdesk_workers_default_to_auto_everywhere_and_the_cli_accepts_them() -> None:
    from helpdesk.cli import workers_argument

    command = _compose()["services"]["helpdesk"]["command"]
    value = command[command.index("--workers") + 1]
    assert value == "${HELPDESK_WORKERS:-auto}"
    documented = _env_example()["HELPDESK_WORKERS"]
    assert documented[1] == "auto" and any("PostgreSQL" in line for line in documented[2])
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert '"--workers", "auto"' in dockerfile
    assert workers_argument("auto") is None and workers_argument("3") == 3
