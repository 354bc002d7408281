"""Every shipped procedure walked with the engine from its start to every end, in every language."""

from __future__ import annotations

import pytest

from content.loader import load_catalog
from kiosk.guide import Guide, GuideSettings, Say, Show, Wipe
from kiosk.guide import actions as a

CATALOG = load_catalog()
GUIDE = Guide(CATALOG.procedures, GuideSettings(site_values={}))


def test_there_is_shipped_content_and_it_all_loads():
    assert not CATALOG.problems, "\n".join(map(str, CATALOG.problems))
    assert len(CATALOG.procedures) >= 9


def all_walks(procedure_id: str, language: str):
    """Depth-first over every choice: yield (ends reached, steps visited) per complete walk."""
    state, _ = GUIDE.step(GUIDE.initial(), a.SetLanguage(language))
    for action in (a.Begin("walk"), a.StartProcedure(procedure_id), a.Next()):
        state, _ = GUIDE.step(state, action)
    todo = [(state, ())]
    while todo:
        state, seen = todo.pop()
        view = GUIDE.view(state)
        assert view.title and view.blocks, f"{procedure_id}/{state.place.step_id}: empty screen"
        step_id = state.place.step_id
        assert step_id not in seen, f"{procedure_id}: walk loops at {step_id}"
        seen = (*seen, step_id)
        if view.screen in ("done", "counter"):
            yield view.screen, seen, state
            continue
        moves = [b.action for b in view.buttons if isinstance(b.action, (a.Next, a.Choose))]
        assert moves, f"{procedure_id}/{step_id}: dead end"
        for move in moves:
            new, effects = GUIDE.step(state, move)
            assert new.place != state.place
            assert any(isinstance(e, Show) for e in effects) and any(isinstance(e, Say) for e in effects)
            todo.append((new, seen))


@pytest.mark.parametrize("language", ["ja", "ja-easy", "en"])
@pytest.mark.parametrize("procedure_id", sorted(CATALOG.procedures))
def test_every_end_is_reachable_by_walking(procedure_id, language):
    procedure = CATALOG.procedures[procedure_id]
    ends = {s.id for s in procedure.steps if s.end}
    reached = set()
    visited = set()
    for _kind, seen, _state in all_walks(procedure_id, language):
        reached.add(seen[-1])
        visited.update(seen)
    assert reached == ends
    assert visited == {s.id for s in procedure.steps}


@pytest.mark.parametrize("procedure_id", sorted(CATALOG.procedures))
def test_finishing_wipes_back_to_start(procedure_id):
    for _kind, _seen, state in all_walks(procedure_id, "ja"):
        [finish] = [b for b in GUIDE.view(state).buttons if b.id == "finish"]
        end, effects = GUIDE.step(state, finish.action)
        assert end == GUIDE.initial()
        assert any(isinstance(e, Wipe) for e in effects)
