"""Procedure guides as data: schema, loader and linter. Imports only the shared vocabulary."""

from content.schema import Choice, End, Localized, Need, Procedure, QrLink, Question, Source, Step
from yorisoi.vocabulary import LANGUAGES

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
