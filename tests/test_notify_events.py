"""Who hears of what: one ticket's life, step by step, with the inbox each step fills, and the
periodic checks (due tomorrow, overdue, escalation) and the andon pull. Nobody hears of what
they did themselves, and a check or job run twice tells nobody twice."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from PIL import Image

from gemba_walk.audits.photos import PhotoStore, sha256_hex, store_photo
from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.findings.operations import report_problem
from gemba_walk.notify import jobs
from gemba_walk.notify.models import AndonPull
from gemba_walk.tickets import workflow
from tests import notify_tools
from tests.factories import AreaFactory, UserFactory


@pytest.fixture
def people(app, db, tmp_path):
    team = {
        "admin": UserFactory(role="admin", name="Ada Admin"),
        "area_leader": UserFactory(role="leader", name="Lia Leader"),
        "other_leader": UserFactory(role="leader", name="Leo Leader"),
        "owner": UserFactory(role="member", name="Max Member"),
        "reporter": UserFactory(role="member", name="Rita Reporter"),
        "bystander": UserFactory(role="member", name="Ben Bystander"),
    }
    team["area"] = AreaFactory(owner=team["area_leader"])
    team["store"] = PhotoStore(tmp_path / "photos")
    db.session.commit()
    return team


class Story:
    """Runs steps and answers, after each, who was newly told (names of the inbox rows)."""

    def __init__(self, db, people):
        self.db, self.people = db, people
        self.seen = 0
        self.names = {u.id: key for key, u in people.items() if hasattr(u, "role")}

    def told(self, now=None) -> set[str]:
        jobs.run_pending(now)
        rows = notify_tools.inbox(self.db)
        new, self.seen = rows[self.seen :], len(rows)
        return {self.names[user_id] for user_id, _ in new}


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def mark_done(people, ticket, who):
    with write_transaction():
        data = jpeg()
        stored = store_photo(people["store"], who, str(uuid.uuid4()), data, sha256_hex(data))
        workflow.update_pdca(
            ticket,
            who,
            {
                "countermeasure": "Marked walkway, daily check",
                "standardize": "Walkway check added to the shift start list",
            },
        )
        workflow.record_after_photo(ticket, who, stored.photo)
        workflow.transition(ticket, who, "done")


def step(ticket, who, action, reason=""):
    with write_transaction():
        workflow.transition(ticket, who, action, reason=reason)


def report(people, who, severity="medium", same_as=None):
    return report_problem(
        who,
        area_id=people["area"].id,
        category="safety",
        severity=severity,
        description="Pallets block the walkway",
        same_as=same_as,
    ).ticket


def test_each_step_of_a_ticket_reaches_exactly_its_people(db, people):
    story = Story(db, people)
    p = people
    ticket = report(p, p["reporter"])
    assert story.told() == {"area_leader"}, "opened in your area (the area's owner owns it)"

    with write_transaction():
        workflow.reassign(ticket, p["admin"], p["owner"])
    assert story.told() == {"owner"}, "assigned to you"

    step(ticket, p["owner"], "start")
    assert story.told() == set(), "starting work tells nobody"

    mark_done(p, ticket, p["owner"])
    assert story.told() == {"admin", "area_leader", "other_leader"}, "waits for verification"

    step(ticket, p["other_leader"], "send_back", "The tape is already peeling")
    assert story.told() == {"owner"}, "sent back"

    step(ticket, p["owner"], "start")
    story.told()
    mark_done(p, ticket, p["owner"])
    story.told()
    step(ticket, p["area_leader"], "verify")
    assert story.told() == {"owner", "reporter"}, "verified: owner and the finding's reporter"

    again = report(p, p["reporter"], same_as=ticket.number)
    assert again.id == ticket.id and again.status == "reopened"
    assert story.told() == {"owner", "area_leader"}, "recurred: owner and who verified it"

    step(ticket, p["admin"], "reject", "Duplicate of the line-side project")
    assert story.told() == {"owner"}, "rejected"

    step(ticket, p["area_leader"], "reopen", "Not a duplicate after all")
    assert story.told() == {"owner"}, "reopened"


def test_nobody_hears_of_what_they_did_themselves(db, people):
    story = Story(db, people)
    report(people, people["area_leader"])
    assert story.told() == set()


def test_due_tomorrow_overdue_then_the_area_leader_each_once(db, people):
    story = Story(db, people)
    ticket = report(people, people["reporter"])
    story.told()
    with write_transaction():
        workflow.reassign(ticket, people["admin"], people["owner"])
        ticket.due_date = utcnow().date() + timedelta(days=1)
    assert story.told() == {"owner"}
    kinds = [kind for kind, *_ in notify_tools.deliveries(db, "inbox")]
    assert kinds[-2:] == ["ticket.assigned", "ticket.due_soon"]
    assert story.told() == set(), "the check runs every quarter hour and tells once"
    later = utcnow() + timedelta(days=2)
    assert story.told(later) == {"owner"}, "overdue"
    assert story.told(later + timedelta(hours=1)) == set()
    assert story.told(later + timedelta(days=2)) == {"area_leader"}, "overdue past the grace days"
    assert story.told(later + timedelta(days=3)) == set()


def test_a_critical_finding_pulls_the_andon_and_escalates_unless_acknowledged(db, people):
    story = Story(db, people)
    ticket = report(people, people["reporter"], severity="critical")
    assert story.told() == {"area_leader"}, "opened, and the andon pulled, to the area's leader"
    kinds = [row[0] for row in notify_tools.deliveries(db, "inbox")]
    assert kinds[:2] == ["ticket.opened", "andon.pulled"]  # then due tomorrow (1 day)

    assert story.told(utcnow() + timedelta(minutes=5)) == set()
    assert story.told(utcnow() + timedelta(minutes=16)) == {"admin", "area_leader"}, "escalated"
    assert story.told(utcnow() + timedelta(minutes=30)) == set(), "escalated once"

    jobs.acknowledge_andon(ticket, people["other_leader"])
    pull = AndonPull.query.filter_by(ticket_id=ticket.id).one()
    assert pull.acknowledged_by_id == people["other_leader"].id


def test_a_later_critical_finding_on_an_open_ticket_pulls_the_andon_once(db, people):
    story = Story(db, people)
    ticket = report(people, people["reporter"], severity="medium")
    story.told()
    assert AndonPull.query.filter_by(ticket_id=ticket.id).count() == 0
    same = report(people, people["reporter"], severity="critical", same_as=ticket.number)
    assert same.id == ticket.id and ticket.severity == "critical"
    assert "area_leader" in story.told(), "the andon, to the area's leader"
    assert [k for k in notify_tools.deliveries(db, "inbox") if k[0] == "andon.pulled"]
    report(people, people["reporter"], severity="critical", same_as=ticket.number)
    assert AndonPull.query.filter_by(ticket_id=ticket.id).count() == 1


def test_an_acknowledged_andon_does_not_escalate(db, people):
    story = Story(db, people)
    ticket = report(people, people["reporter"], severity="critical")
    story.told()
    jobs.acknowledge_andon(ticket, people["area_leader"])
    assert story.told(utcnow() + timedelta(hours=1)) == set()


def test_a_job_run_twice_delivers_once(db, people):
    report(people, people["reporter"])
    event_id = db.session.scalar(db.select(jobs.NotifyEvent.id))
    jobs.fan_out_event(event_id)
    jobs.fan_out_event(event_id)
    jobs.fan_out.call_local(event_id)
    assert len(notify_tools.inbox(db)) == 1


def test_the_nightly_job_removes_photos_attached_to_nothing_for_a_week(app, db, people):
    data = jpeg()
    with write_transaction():
        old = store_photo(
            people["store"], people["reporter"], str(uuid.uuid4()), data, sha256_hex(data)
        )
        old.photo.uploaded_at = utcnow() - timedelta(days=8)
    app.config["PHOTO_STORAGE_PATH"] = str(people["store"].root)
    assert jobs.nightly.call_local() == 1
    assert jobs.nightly.call_local() == 0


def test_a_planned_walk_reminds_its_walker_once_and_a_missed_one_reaches_the_area_leader(
    db, people
):
    """Walks planned every day for Max: today's open walk reminds him (walk.due); the one
    whose two days of grace ran out tells him and the area's leader (walk.missed); each once."""
    import sqlalchemy as sa

    from gemba_walk.checklists.defaults import ensure_default_templates
    from gemba_walk.checklists.models import ChecklistTemplate
    from gemba_walk.core.localtime import local_today
    from gemba_walk.walks import operations as walks

    ensure_default_templates()
    story = Story(db, people)
    site = people["area"].site
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate.id).where(ChecklistTemplate.kind == "5s")
    )
    details = walks.PlanDetails(
        name="Daily 5S",
        template_id=five_s,
        frequency="daily",
        area_ids=[people["area"].id],
        person_ids=[people["owner"].id],
        weekdays="0123456",
        starts_on=local_today(site.timezone) - timedelta(days=4),
    )
    walks.create_plan(site, details)
    # Checked at noon of today: an hour after a check made late in the evening is another day,
    # with another walk due (the story failed every night after 23:00 UTC).
    noon = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    assert story.told(noon) == {"owner", "area_leader"}
    told = {(kind, user) for kind, user, *_ in notify_tools.deliveries(db, "inbox")}
    owner, leader = people["owner"].id, people["area_leader"].id
    assert told == {("walk.due", owner), ("walk.missed", owner), ("walk.missed", leader)}
    messages = [message for _, message in notify_tools.inbox(db)]
    assert any(m.startswith("Your planned walk is due until") for m in messages)
    assert story.told(noon) == set(), "the check runs every quarter hour and tells once"
    assert story.told(noon + timedelta(hours=1)) == set()
