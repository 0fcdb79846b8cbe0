"""The default checklists in the reader's language: the 5S audit, the waste walk
and the abnormality report the app seeds are our own words, so they are in the catalogs and
shown in each person's language. A checklist an admin wrote — or a default one an admin edited
into a new version — is shown as written."""

from __future__ import annotations

import re

from gemba_walk.checklists.defaults import (
    DEFAULT_TEMPLATE_KEYS,
    DEFAULT_TEMPLATES,
    FIVE_S_QUESTIONS,
)
from gemba_walk.checklists.models import ChecklistTemplate, ChecklistTemplateVersion
from gemba_walk.core.i18n import current_language, gettext

_SEEDED_NAMES = {key: name for key, name, *_ in DEFAULT_TEMPLATES}
_OUR_QUESTIONS = frozenset(prompt for prompts in FIVE_S_QUESTIONS.values() for prompt in prompts)


def is_ours(version: ChecklistTemplateVersion) -> bool:
    """The version the app seeded (its first), not one an admin wrote."""
    return version.number == 1 and version.template.key in DEFAULT_TEMPLATE_KEYS


def shown(version: ChecklistTemplateVersion, text: str | None) -> str:
    """A checklist's word as the reader reads it."""
    if not text:
        return text or ""
    if not is_ours(version):
        return text
    translated = gettext(text)
    if translated == text and ": " in text:  # a waste walk item: "Transport: Moving material…"
        label, description = text.split(": ", 1)
        translated = f"{gettext(label)}: {gettext(description)}"
    return translated


def shown_question(text: str) -> str:
    """A 5S question gathered across checklist versions (insight's lowest items): our own
    words in the reader's language, an admin's as written."""
    return gettext(text) if text in _OUR_QUESTIONS else text


# A finding the server makes for an answer past its limit, and the ticket it opens, are written
# "<item's question> — scored 1" (sync/past_limits.py, field_rules.past_limits), stored in
# English; with our own question, a reader of another language reads both parts in theirs.
_PAST_LIMIT = re.compile(
    r"(?P<question>.+?) — (?:scored (?P<score>\d+)|(?P<failed>failed))(?P<rest>: .*)?", re.S
)


def shown_problem(text: str | None) -> str:
    """A finding's description or a ticket's title as the reader reads it."""
    if not text or current_language() == "en":
        return text or ""
    found = _PAST_LIMIT.fullmatch(text)
    ours = found["question"] if found else None
    if ours not in _OUR_QUESTIONS:
        return text
    question = gettext(ours)
    if found["failed"]:
        read = gettext("%(question)s — failed", question=question)
    else:
        read = gettext("%(question)s — scored %(score)s", question=question, score=found["score"])
    return read + (found["rest"] or "")


def name_is_ours(template: ChecklistTemplate) -> bool:
    """The checklist still carries the name the app seeded it with (an admin may rename it)."""
    return _SEEDED_NAMES.get(template.key) == template.name


def shown_name(template: ChecklistTemplate) -> str:
    """A checklist's name as the reader reads it ("5S-Audit" for a German reader of ours)."""
    return gettext(template.name) if name_is_ours(template) else template.name


def shown_levels(version: ChecklistTemplateVersion, levels: list[str] | None) -> list[str] | None:
    """Score level descriptions in the reader's language; a choice's keys stay keys."""
    if levels is None or not is_ours(version):
        return levels
    return [gettext(level) for level in levels]
