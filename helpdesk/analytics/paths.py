"""The usual path through a procedure: the steps most residents see, taking the answer that carries on."""

from __future__ import annotations

from collections.abc import Mapping

from content.schema import Procedure, Step


def main_path(procedure: Procedure) -> list[str]:
    """Steps from the first to an end, always taking the usual answer."""
    steps = {s.id: s for s in procedure.steps}
    path: list[str] = []
    current: str | None = procedure.first_step
    while current and current not in path:
        path.append(current)
        current = usual_next(steps[current], steps)
    return path


def usual_next(step: Step, steps: Mapping[str, Step]) -> str | None:
    """Where most residents go from a step: its next step, or the first answer that does not end the procedure."""
    if step.question is None:
        return step.next
    going_on = [c.next for c in step.question.choices if steps[c.next].end is None]
    return going_on[0] if going_on else step.question.choices[0].next
