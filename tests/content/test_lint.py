"""The content linter on deliberately broken files: every problem reported at once, precisely located."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import pytest

from content.cli import run_check
from content.lint import check
from content.loader import ContentError, load_catalog, load_procedure
from tests.kiosk.guide_fixtures import SAMPLE
from yorisoi.cli import main

BROKEN = Path(__file__).parent / "broken"
TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def problems():
    return check(BROKEN / "procedures", today=TODAY)


def located(problems, file):
    return {(p.code, p.where) for p in problems if p.file == file}


def test_yaml_syntax_error_names_the_line(problems):
    [problem] = [p for p in problems if p.file == "yaml-syntax.yaml"]
    assert problem.code == "yaml-syntax" and problem.where.startswith("line 3")


def test_schema_errors_name_step_and_field(problems):
    found = located(problems, "bad-fields.yaml")
    assert ("schema", "minutes") in found
    assert ("schema", "step 'first' → instruction") in found
    assert ("schema", "step 'second' → where") in found


def test_graph_problems(problems):
    found = located(problems, "graph-problems.yaml")
    assert ("unknown-step", "step 'start'") in found
    assert ("unreachable", "step 'orphan'") in found
    assert {("no-way-out", "step 'loop-a'"), ("no-way-out", "step 'loop-b'")} <= found
    assert ("missing-translation", "step 'orphan' → title") in found
    assert ("missing-picture", "icon") in found
    assert ("missing-picture", "step 'orphan' → picture") in found
    assert ("source-stale", "source → checked") in found


def test_secrets_length_and_site_settings(problems):
    found = located(problems, "secrets-and-length.yaml")
    assert ("secret-at-kiosk", "step 'type-pin' → instruction") in found
    assert ("shield-pin", "step 'phone-pin' → caution") in found
    assert ("too-long", "step 'long' (ja)") in found
    assert ("undeclared-site-setting", "site_settings") in found
    assert ("unused-site-setting", "site_settings") in found
    assert not any(code == "too-long" and "(en)" in where for code, where in found)


def test_warnings_are_apart_from_errors(problems):
    warnings = {p.code for p in problems if p.severity == "warning"}
    assert warnings == {"source-stale", "unused-site-setting"}


def test_one_broken_file_never_hides_the_rest():
    catalog = load_catalog(BROKEN / "procedures")
    assert set(catalog.procedures) == {"graph-problems", "secrets-and-length"}
    assert {p.file for p in catalog.problems} == {"bad-fields.yaml", "yaml-syntax.yaml"}


def test_file_name_must_match_id(tmp_path):
    source = (BROKEN / "procedures" / "graph-problems.yaml").read_text(encoding="utf-8")
    (tmp_path / "other-name.yaml").write_text(source, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_procedure(tmp_path / "other-name.yaml")
    assert info.value.problems[0].code == "file-name"


def test_not_utf8_and_not_a_mapping(tmp_path):
    (tmp_path / "latin.yaml").write_bytes("id: caf\xe9".encode("latin-1"))
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    codes = {p.code for p in load_catalog(tmp_path).problems}
    assert codes == {"not-utf8", "not-a-procedure"}


def test_empty_folder_is_an_error(tmp_path):
    assert [p.code for p in check(tmp_path)] == ["empty"]


def test_yes_and_no_stay_strings(tmp_path):
    source = (BROKEN / "procedures" / "graph-problems.yaml").read_text(encoding="utf-8")
    source = source.replace("{id: a,", "{id: yes,").replace("{id: b,", "{id: no,")
    (tmp_path / "graph-problems.yaml").write_text(source, encoding="utf-8")
    procedure = load_procedure(tmp_path / "graph-problems.yaml")
    assert [c.id for c in procedure.steps[0].question.choices] == ["yes", "no"]


def test_cli_exit_codes(capsys):
    assert main(["content", "check", str(BROKEN)]) == 1
    out = capsys.readouterr().out
    assert "ERROR [secret-at-kiosk]" in out and "WARNING [source-stale]" in out


def test_clean_file_passes_and_strict_fails_on_warnings_only(tmp_path):
    (tmp_path / "sample.yaml").write_text(SAMPLE, encoding="utf-8")
    assert check(tmp_path, pictures=tmp_path, today=TODAY) == []
    (tmp_path / "sample.yaml").write_text(SAMPLE.replace("2026-11-20", "2020-01-01"), encoding="utf-8")
    assert run_check(argparse.Namespace(path=tmp_path, strict=False)) == 0
    assert run_check(argparse.Namespace(path=tmp_path, strict=True)) == 1


def test_schema_export_is_json_schema(capsys):
    assert main(["content", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Procedure" and "steps" in schema["properties"]


def test_reserved_id_none_is_refused(tmp_path):
    """`none` means "no procedure yet" on the helpdesk wire, so no procedure or step may be called that."""
    from helpdesk.wire import NO_PLACE

    source = (BROKEN / "procedures" / "graph-problems.yaml").read_text(encoding="utf-8")
    first = load_procedure(BROKEN / "procedures" / "graph-problems.yaml").steps[0].id
    (tmp_path / "graph-problems.yaml").write_text(source.replace(f"id: {first}", f"id: {NO_PLACE}"), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_procedure(tmp_path / "graph-problems.yaml")
    assert "reserved" in str(info.value)
