"""A ticket's title: what was seen, in the words of the first finding that said it, kept
current as findings join (``refresh_title``), until the team writes their own."""

from __future__ import annotations

import re

import sqlalchemy as sa

from gemba_walk.audits.models import Finding, Response
from gemba_walk.extensions import db
from gemba_walk.field_rules import RULES, past_limits
from gemba_walk.tickets.models import TITLE_LENGTH, KaizenTicket


def one_line(text: str) -> str:
    """Words as a title: one line, cut to the title's length."""
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


# What the server writes for an answer past its limit after the item's question
# (sync/past_limits.py): "scored 2", "failed", "reading 4.2 is outside …", then ": <note>".
_ANSWER_PAST_LIMIT = re.compile(r"(?:scored \d+|failed|reading [^:]*)(?:: (?P<note>.*))?", re.S)


def _seen_text(finding: Finding) -> str:
    """What the person wrote they saw, or '' where the words were made for them (the answer
    past its limit, "(see photos)" for a finding of photos only)."""
    text = " ".join(finding.description.split())
    prompt = " ".join(finding.item.prompt.split()) if finding.item is not None else None
    if text == RULES["empty_finding_photo_text"] or text == f"{prompt} (see photos)":
        return ""
    if prompt and text.startswith(f"{prompt} — "):
        made = _ANSWER_PAST_LIMIT.fullmatch(text[len(prompt) + 3 :])
        if made:
            return (made["note"] or "").strip()
    return text


def _worst_answer(findings: list[Finding]) -> str:
    """'<question> — scored 1' for the lowest score (or the first failed check or reading)
    among the answers behind these findings."""
    pairs = {(f.audit_id, f.item_id): f.item for f in findings if f.audit_id and f.item_id}
    if not pairs:
        return ""
    responses = db.session.scalars(
        sa.select(Response).where(
            sa.or_(*(sa.and_(Response.audit_id == a, Response.item_id == i) for a, i in pairs))
        )
    ).all()
    worst: tuple[int, str] | None = None
    for response in responses:
        item = pairs[(response.audit_id, response.item_id)]
        rules = {
            "response_type": item.response_type,
            "ticket_threshold": item.ticket_threshold,
            "min": item.min_value,
            "max": item.max_value,
        }
        answer = {
            "score": response.score,
            "value_bool": response.value_bool,
            "value_number": response.value_number,
        }
        if problem := past_limits(rules, answer):
            rank = response.score if response.score is not None else -1
            if worst is None or rank < worst[0]:
                worst = (rank, f"{' '.join(item.prompt.split())} — {problem}")
    return worst[1] if worst else ""


def refresh_title(ticket: KaizenTicket, joining: Finding) -> None:
    """A ticket's title is what was seen: the first finding's own words, else the item with its
    worst answer ("… — scored 1"), kept current as findings join; once the team wrote the
    title (or the problem), theirs stays."""
    if ticket.title_edited:
        return
    attached = db.session.scalars(
        sa.select(Finding)
        .where(Finding.ticket_id == ticket.id, Finding.id != joining.id)
        .order_by(Finding.observed_at, Finding.id)
    ).all()
    findings = sorted([*attached, joining], key=lambda f: (f.observed_at, f.id))
    seen = next((text for f in findings if (text := _seen_text(f))), "")
    title = seen or _worst_answer(findings)
    if title:
        ticket.title = one_line(title)
