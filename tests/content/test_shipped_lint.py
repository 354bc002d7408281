"""The shipped content passes `yorisoi content check` with no errors."""

from __future__ import annotations

from content.lint import check
from content.loader import PACKAGED


def test_shipped_content_has_no_errors():
    problems = [p for p in check(PACKAGED / "procedures") if p.severity == "error"]
    assert not problems, "\n".join(map(str, problems))
