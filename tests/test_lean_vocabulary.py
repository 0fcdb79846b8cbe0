"""One source of truth for the Lean words, and the default checklists built from it."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from gemba_walk import lean
from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistTemplate


def test_vocabulary_names_5s_timwoods_and_sqdce():
    assert [t.label for t in lean.FIVE_S_PILLARS] == [
        "Sort",
        "Set in order",
        "Shine",
        "Standardize",
        "Sustain",
    ]
    assert "".join(t.label[0] for t in lean.WASTES[:7]) == "TIMWOOD"
    assert lean.WASTES[7].key == "skills"  # the S of TIMWOODS
    assert len(lean.WASTES) == 8
    assert "".join(t.label[0] for t in lean.ABNORMALITY_CATEGORIES) == "SQDCE"
    assert set(lean.DUE_DAYS_BY_SEVERITY) == set(lean.keys(lean.SEVERITIES))
    assert (
        set(lean.keys(lean.TICKET_STATUSES))
        == lean.OPEN_TICKET_STATUSES | lean.CLOSED_TICKET_STATUSES
    )
    assert len(lean.SCORE_LEVELS) == lean.SCORE_MAX - lean.SCORE_MIN + 1


def test_vocabulary_is_plain_data_for_the_phone():
    data = lean.vocabulary()
    assert data["pillars"][0] == {
        "key": "sort",
        "label": "Sort",
        "description": "Seiri — remove what is not needed",
    }
    assert [w["key"] for w in data["wastes"]] == lean.keys(lean.WASTES)


def _published_items(db, key):
    template = db.session.scalar(sa.select(ChecklistTemplate).where(ChecklistTemplate.key == key))
    return template.published_version.items


def test_default_5s_audit_has_three_scored_items_per_pillar(db):
    ensure_default_templates()
    items = _published_items(db, "5s-audit")
    per_pillar = Counter(item.section for item in items)
    assert per_pillar == {key: 3 for key in lean.keys(lean.FIVE_S_PILLARS)}
    for item in items:
        assert item.response_type == "score"
        assert item.levels == list(lean.SCORE_LEVELS)
        assert item.ticket_threshold == lean.DEFAULT_TICKET_THRESHOLD


def test_default_waste_walk_and_abnormality_report(db):
    ensure_default_templates()
    waste = _published_items(db, "waste-walk")
    assert [i.section for i in waste] == lean.keys(lean.WASTES)
    assert {i.response_type for i in waste} == {"yes_no"}
    report = {i.key: i for i in _published_items(db, "abnormality-report")}
    assert report["category"].levels == lean.keys(lean.ABNORMALITY_CATEGORIES)
    assert report["severity"].levels == lean.keys(lean.SEVERITIES)
    assert report["description"].photo_required


def test_default_templates_are_created_once(db):
    ensure_default_templates()
    ensure_default_templates()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChecklistTemplate)) == 3
