"""`yorisoi content check`: every problem in a content folder at once, errors and warnings apart."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from content.faithful import dropped
from content.freshness import expiring
from content.limits import step_fit
from content.loader import Catalog, Problem, load_catalog, picture_path
from content.schema import SITE_PLACEHOLDER, Localized, Procedure, Step
from yorisoi.vocabulary import LANGUAGES

SECRET_WORDS = re.compile(
    r"マイナンバー(?!カード)|個人番号(?!カード)|暗証番号|パスワード|PIN|password|My Number(?! ?Card)", re.I
)
ENTRY_WORDS = re.compile(r"入力|いれ|入れ|打|押して|タッチして|type|enter|key in", re.I)


def check(directory: Path, pictures: Path | None = None, today: dt.date | None = None) -> list[Problem]:
    """Every problem in a procedures folder: load errors first, then per-procedure checks."""
    catalog: Catalog = load_catalog(directory)
    problems = list(catalog.problems)
    if not catalog.procedures and not problems:
        problems.append(Problem("empty", str(directory), "", "no procedure files (*.yaml) found"))
    pictures = pictures or directory.parent / "pictures"
    for procedure_id, procedure in catalog.procedures.items():
        name = catalog.files[procedure_id].name
        problems.extend(check_procedure(procedure, name, pictures, today or dt.date.today()))
    return problems


def check_procedure(p: Procedure, name: str, pictures: Path, today: dt.date) -> list[Problem]:
    """All checks of one loaded procedure."""
    found: list[Problem] = []
    found += _graph(p, name)
    found += _translations(p, name)
    found += _faithful(p, name)
    found += _help_on_screen(p, name)
    found += _pictures(p, name, pictures)
    found += _lengths(p, name)
    found += _secrets(p, name)
    found += _site_settings(p, name)
    found += expiring(p, name, today)
    return found


def _graph(p: Procedure, name: str) -> list[Problem]:
    """Unknown references, duplicate ids, unreachable steps, and steps from which no end can be reached."""
    found: list[Problem] = []
    ids = [s.id for s in p.steps]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        found.append(Problem("duplicate-step", name, f"step '{dup}'", "two steps share this id"))
    known = set(ids)
    for step in p.steps:
        for target in step.targets():
            if target not in known:
                found.append(Problem("unknown-step", name, f"step '{step.id}'", f"leads to unknown step '{target}'"))
        if step.id in step.targets():
            found.append(Problem("self-loop", name, f"step '{step.id}'", "leads to itself"))
    reachable = _reachable(p, p.first_step)
    for step in p.steps:
        if step.id not in reachable:
            found.append(Problem("unreachable", name, f"step '{step.id}'", "no path from the first step leads here"))
    can_finish = _can_finish(p)
    for step in p.steps:
        if step.id in reachable and step.id not in can_finish:
            found.append(
                Problem(
                    "no-way-out",
                    name,
                    f"step '{step.id}'",
                    "from here no path reaches an end (a loop or a dead end)",
                )
            )
    return found


def _reachable(p: Procedure, start: str) -> set[str]:
    by_id = {s.id: s for s in p.steps}
    seen, todo = set(), [start]
    while todo:
        current = todo.pop()
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        todo.extend(by_id[current].targets())
    return seen


def _can_finish(p: Procedure) -> set[str]:
    """Steps from which some path reaches an end (fixed point over reverse edges)."""
    done = {s.id for s in p.steps if s.end is not None}
    changed = True
    while changed:
        changed = False
        for s in p.steps:
            if s.id not in done and any(t in done for t in s.targets()):
                done.add(s.id)
                changed = True
    return done


def texts(p: Procedure) -> list[tuple[str, Localized]]:
    """Every localized text of a procedure with its location."""
    out: list[tuple[str, Localized]] = [("title", p.title), ("summary", p.summary)]
    for need in p.needs:
        out += [
            (f"needs '{need.id}' → label", need.label),
            (f"needs '{need.id}' → if_missing", need.if_missing),
        ]
    for s in p.steps:
        out += [(f"step '{s.id}' → {field}", value) for field, value in _step_texts(s)]
    return out


def _step_texts(s: Step) -> list[tuple[str, Localized]]:
    out: list[tuple[str, Localized]] = [("title", s.title), ("instruction", s.instruction)]
    if s.caution:
        out.append(("caution", s.caution))
    if s.qr:
        out.append(("qr → label", s.qr.label))
    if s.question:
        out.append(("question → text", s.question.text))
        out += [(f"question → choice '{c.id}'", c.label) for c in s.question.choices]
    if s.end:
        out.append(("end → message", s.end.message))
        if s.end.next_steps:
            out.append(("end → next_steps", s.end.next_steps))
    return out


def _translations(p: Procedure, name: str) -> list[Problem]:
    return [
        Problem("missing-translation", name, where, f"no {lang} text")
        for where, text in texts(p)
        for lang in text.missing()
    ]


def _faithful(p: Procedure, name: str) -> list[Problem]:
    """ja-easy and en say what ja says, in easier words: no number, date or alternative left out."""
    found: list[Problem] = []
    for where, text in texts(p):
        ja = text.root["ja"]
        for lang in ("ja-easy", "en"):
            if lang not in text.root:
                continue  # missing-translation already says so
            missing = dropped(ja, text.root[lang], lang)
            if missing:
                found.append(
                    Problem(
                        "translation-drops",
                        name,
                        f"{where} ({lang})",
                        f"the ja text says {', '.join(missing)}, the {lang} text does not; say it in easier words",
                    )
                )
    return found


def _help_on_screen(p: Procedure, name: str) -> list[Problem]:
    """A 係の人を呼ぶ button on the screen counts as a choice: at most three in all."""
    return [
        Problem(
            "too-many-choices",
            name,
            f"step '{s.id}' → offer_help",
            "three answers plus 係の人を呼ぶ are four choices; keep two answers on a screen that offers help",
        )
        for s in p.steps
        if s.offer_help and s.question and len(s.question.choices) > 2
    ]


def _pictures(p: Procedure, name: str, pictures: Path) -> list[Problem]:
    wanted = [("icon", p.icon)] + [(f"step '{s.id}' → picture", s.picture) for s in p.steps]
    return [
        Problem("missing-picture", name, where, f"picture '{pic}' is not in {pictures}")
        for where, pic in wanted
        if pic and not picture_path(pic, pictures).is_file()
    ]


def _lengths(p: Procedure, name: str) -> list[Problem]:
    found: list[Problem] = []
    for s in p.steps:
        for lang in LANGUAGES:
            blocks = [s.instruction.get(lang)]
            blocks += [b.get(lang) for b in (s.caution, s.question.text if s.question else None) if b]
            if s.end:
                blocks.append(s.end.message.get(lang))
            fit = step_fit(s.title.get(lang), blocks, has_picture=bool(s.picture or s.qr))
            if not fit.fits:
                found.append(
                    Problem(
                        "too-long",
                        name,
                        f"step '{s.id}' ({lang})",
                        f"needs {fit.needed}px of {fit.available}px at the largest text size; shorten it",
                    )
                )
    return found


def _secrets(p: Procedure, name: str) -> list[Problem]:
    """A kiosk never takes a マイナンバー, PIN or password; phone steps that involve a PIN must say to shield it."""
    found: list[Problem] = []
    for s in p.steps:
        body = " ".join(s.instruction.root.values())
        if not (SECRET_WORDS.search(body) and ENTRY_WORDS.search(body)):
            continue
        if s.where == "kiosk":
            found.append(
                Problem(
                    "secret-at-kiosk",
                    name,
                    f"step '{s.id}' → instruction",
                    "asks for a マイナンバー, PIN or password to be entered at the kiosk; never do that",
                )
            )
        elif s.caution is None:
            found.append(
                Problem(
                    "shield-pin",
                    name,
                    f"step '{s.id}' → caution",
                    "a PIN is entered here: add a caution to hide it from others",
                )
            )
    return found


def _site_settings(p: Procedure, name: str) -> list[Problem]:
    declared = {s.name for s in p.site_settings}
    used: set[str] = set()
    for _, text in texts(p):
        for value in text.root.values():
            used.update(SITE_PLACEHOLDER.findall(value))
    used.update(SITE_PLACEHOLDER.findall(" ".join(s.qr.url for s in p.steps if s.qr)))
    found = [
        Problem("undeclared-site-setting", name, "site_settings", f"'{{site.{u}}}' is used but not declared")
        for u in sorted(used - declared)
    ]
    found += [
        Problem("unused-site-setting", name, "site_settings", f"'{d}' is declared but never used", "warning")
        for d in sorted(declared - used)
    ]
    return found
