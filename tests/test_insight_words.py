"""Insight agrees with itself: every card's words are checked against the
numbers beside it. A fall shown as ▼ 0.3 is counted by "fell by 0.3 or more" (one rounding and
one threshold, in one function); "Not walked for N days" lists only areas whose last walk —
counted as the walks pages count it — is N days ago or more."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.core.ids import utcnow
from gemba_walk.walks.models import PlannedWalk, WalkPlan
from tests.factories import AreaFactory, AuditFactory, SiteFactory, UserFactory


def _five_s(area, auditor, version, when, total):
    return AuditFactory(
        area=area,
        auditor=auditor,
        template_version=version,
        started_at=when - timedelta(minutes=20),
        submitted_at=when,
        received_at=when,
        pillar_scores={"sort": total},
        score_total=total,
    )


def _card(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_each_insight_card_says_what_its_numbers_show(app, db, client, auth):
    site = SiteFactory()
    ensure_default_templates()
    version = ChecklistTemplate.query.filter_by(key="5s-audit").one().versions[-1]
    auditor = UserFactory(role="leader")
    now = utcnow()
    a11 = AreaFactory(site=site, code="A-11", name="Assembly 11")
    a12 = AreaFactory(site=site, code="A-12", name="Assembly 12")
    a13 = AreaFactory(site=site, code="A-13", name="Assembly 13")
    planned = AreaFactory(site=site, code="W-01", name="Welding")
    for area, before, latest in ((a11, 4.13, 3.86), (a12, 4.0, 3.5), (a13, 3.0, 2.8)):
        _five_s(area, auditor, version, now - timedelta(days=40), before)
        _five_s(area, auditor, version, now - timedelta(days=20), latest)
    # Welding is in a daily walk plan: a planned walk was missed 5 days ago, but someone walked
    # the area 3 days ago; and a phone whose clock ran a day ahead sent it.
    _five_s(planned, auditor, version, now - timedelta(days=60), 3.0)
    walked = _five_s(planned, auditor, version, now - timedelta(days=2), 3.0)
    walked.received_at = now - timedelta(days=3)
    plan = WalkPlan(
        site=site,
        name="Daily welding walk",
        template_id=version.template_id,
        frequency="daily",
        starts_on=(now - timedelta(days=6)).date(),
        planned_until=(now + timedelta(days=30)).date(),
        areas=[planned],
        people=[auditor],
    )
    db.session.add(plan)
    db.session.flush()
    db.session.add(
        PlannedWalk(
            plan_id=plan.id,
            site_id=site.id,
            area_id=planned.id,
            template_id=version.template_id,
            user_id=auditor.id,
            local_date=(now - timedelta(days=5)).date(),
            window_start=now - timedelta(days=5, hours=8),
            window_end=now - timedelta(days=5),
        )
    )
    db.session.commit()

    auth.login_as("leader")
    html = client.get(f"/insight/?site={site.id}&walked=14").text

    # The heat map's change column, area by area.
    shown_fall = {}
    heat = _card(html, "heat-h")
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", heat, re.S):
        code = re.search(r'class="cell-link"[^>]*>([^<]+)</a>', row).group(1)
        fall = re.search(r'change--down">▼ ([\d.]+)', row)
        shown_fall[code] = float(fall.group(1)) if fall else 0.0
    assert shown_fall["A-11"] == 0.3  # 4.13 → 3.86
    slipping = _text(_card(html, "slipping-h"))
    fell = {code for code, fall in shown_fall.items() if fall >= 0.3}
    assert fell == {"A-11", "A-12"}
    for code in shown_fall:
        assert (code in slipping) == (code in fell), f"{code}: {slipping}"
    if not fell:
        assert "fell by 0.3 or more" in slipping
    for code in fell:
        assert f"▼ {shown_fall[code]}" in slipping

    # "Not walked for 14 days": every line's last walk is 14 days ago or more, or never.
    unwalked = _card(html, "unwalked-h")
    assert "Not walked for 14 days" in _text(unwalked)
    lines = [_text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", unwalked, re.S)]
    for line in lines:
        days = re.search(r"last walk (\d+) days ago", line)
        assert days is None or int(days.group(1)) >= 14, line
        assert days is not None or "never walked" in line, line
    assert [line.split(" · ")[0] for line in lines] == ["A-11", "A-12", "A-13"]
