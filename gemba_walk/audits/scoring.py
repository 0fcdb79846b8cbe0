"""5S scores: the mean of each pillar's item scores, and the total as the mean of the pillars.

Rounded as the phone rounds them (gemba_walk/field_rules.json), so both show the same figure."""

from __future__ import annotations

from collections.abc import Iterable

from gemba_walk import field_rules
from gemba_walk.lean import FIVE_S_PILLARS, keys


def five_s_scores(scored_items: Iterable[tuple[str, int | None]]) -> tuple[dict, float | None]:
    """Pillar means and total from (pillar key, score) pairs; unscored items are left out."""
    return field_rules.five_s_scores(scored_items, keys(FIVE_S_PILLARS))
