"""One way to record a finding: a phone's, the andon's and the desk's findings get their ticket
by the same rules, and a finding that makes its ticket critical pulls the andon, once."""

from __future__ import annotations

import io

import sqlalchemy as sa

from gemba_walk.andon.models import AndonReport
from gemba_walk.audits.models import Finding, Photo
from gemba_walk.findings.operations import report_problem
from gemba_walk.notify.models import AndonPull, NotifyEvent
from gemba_walk.tickets.models import KaizenTicket
from tests.conftest import AuthActions, csrf_token_from
from tests.factories import AreaFactory, demo_layout
from tests.photo_tools import camera_jpeg
from tests.sync_batches import batch, finding


def _pulls(db, ticket_number: int) -> int:
    db.session.rollback()  # a fresh look at what the requests wrote
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AndonPull)
        .join(KaizenTicket, KaizenTicket.id == AndonPull.ticket_id)
        .where(KaizenTicket.number == ticket_number)
    )


def _andon_events(db) -> list[str]:
    return list(
        db.session.scalars(sa.select(NotifyEvent.kind).where(NotifyEvent.kind == "andon.pulled"))
    )


def test_a_critical_sighting_synced_from_a_phone_pulls_the_andon_of_its_open_ticket(
    app, client, auth, api, db
):
    demo_layout(app)
    auth.login_as("leader")
    pack = client.get("/api/v1/pack").json
    area = pack["areas"][0]
    first = api.sync(batch([], [finding(area, severity="medium")]))
    number = first.json["findings"][0]["ticket"]["number"]
    assert _pulls(db, int(number.removeprefix("KZ-"))) == 0, "a medium finding pulls nothing"

    worse = batch([], [finding(area, severity="critical", same_as_ticket=number)])
    answer = api.sync(worse)
    assert answer.json["findings"][0]["ticket"]["outcome"] == "joined"
    ticket = db.session.scalar(
        sa.select(KaizenTicket).where(KaizenTicket.number == int(number[3:]))
    )
    assert ticket.severity == "critical"
    assert _pulls(db, ticket.number) == 1, "raised to critical: the andon is pulled"
    assert _andon_events(db) == ["andon.pulled"]

    assert api.sync(worse).json == answer.json, "the batch again: the same answer"
    again = api.sync(batch([], [finding(area, severity="critical", same_as_ticket=number)]))
    assert again.json["findings"][0]["ticket"]["occurrences"] == 3
    assert _pulls(db, ticket.number) == 1, "once a ticket"
    assert _andon_events(db) == ["andon.pulled"]


def test_an_andon_report_accepted_as_critical_pulls_the_andon_with_its_photo_on_the_ticket(
    app, client, db
):
    area = AreaFactory(andon_enabled=True)
    page = client.get(f"/andon/{area.qr_token}")
    sent = client.post(
        f"/andon/{area.qr_token}",
        data={
            "csrf_token": csrf_token_from(page.text),
            "category": "safety",
            "description": "Light curtain on press 3 bypassed with tape",
            "reporter_name": "",
            "photo": (io.BytesIO(camera_jpeg(800, 600)), "photo.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201
    AuthActions(client).login_as("leader")
    triage = client.get("/andon/triage")
    report = db.session.scalar(sa.select(AndonReport))
    accepted = client.post(
        f"/andon/reports/{report.id}/accept",
        data={"csrf_token": csrf_token_from(triage.text), "severity": "critical"},
    )
    assert accepted.status_code == 302
    ticket = db.session.scalar(sa.select(KaizenTicket))
    assert _pulls(db, ticket.number) == 1
    recorded = db.session.scalar(sa.select(Finding))
    photo = db.session.scalar(sa.select(Photo))
    assert (photo.finding_id, photo.ticket_id, photo.role) == (recorded.id, ticket.id, "before")


def test_a_problem_reported_on_the_web_joins_the_ticket_chosen_as_the_same(app, db, auth):
    area = AreaFactory()
    member = auth.login_as("member")
    first = report_problem(
        member, area_id=area.id, category="quality", severity="low", description="Burr on edge"
    )
    same = report_problem(
        member,
        area_id=area.id,
        category="quality",
        severity="critical",
        description="Burr cut a glove",
        same_as=first.ticket.number,
    )
    assert (same.outcome, same.ticket.id, same.made_critical) == ("joined", first.ticket.id, True)
    assert _pulls(db, first.ticket.number) == 1
