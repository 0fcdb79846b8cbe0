"""5S scores: the mean of each pillar's item scores, and the total as the mean of the pillars."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from gemba_walk.lean import FIVE_S_PILLARS


def five_s_scores(scored_items: Iterable[tuple[str, int | None]]) -> tuple[dict, float | None]:
    """Pillar means and total from (pillar key, score) pairs; unscored items are left out."""
    by_pillar: dict[str, list[int]] = defaultdict(list)
    for pillar, score in scored_items:
        if score is not None:
            by_pillar[pillar].append(score)
    pillar_scores = {
        pillar.key: round(sum(values) / len(values), 2)
        for pillar in FIVE_S_PILLARS
        if (values := by_pillar.get(pillar.key))
    }
    if not pillar_scores:
        return {}, None
    total = round(sum(pillar_scores.values()) / len(pillar_scores), 2)
    return pillar_scores, total
