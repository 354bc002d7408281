"""Procedure guides as data: schema, loader and linter. Imports nothing of the project."""

from content.schema import LANGUAGES, Choice, End, Localized, Need, Procedure, QrLink, Question, Source, Step

__all__ = [
    "LANGUAGES",
    "Choice",
    "End",
    "Localized",
    "Need",
    "Procedure",
    "QrLink",
    "Question",
    "Source",
    "Step",
]
