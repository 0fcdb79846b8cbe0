"""The andon from the area label: opt-in per area; someone without an account
reports a problem (category, what was seen, an optional photo checked like every upload, an
optional name); it waits in triage, never on the board; a leader accepts it (a ticket through
the ticket rules, "reported at the andon") or dismisses it with a reason."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from gemba_walk.andon.models import AndonReport
from gemba_walk.audits.models import Finding, Photo
from gemba_walk.tickets.models import KaizenTicket, TicketEvent
from tests.conftest import AuthActions, csrf_token_from
from tests.factories import AreaFactory, TicketFactory, UserFactory
from tests.photo_tools import camera_jpeg

PHOTO = camera_jpeg(800, 600, orientation=None)


@pytest.fixture
def andon_area(app):
    return AreaFactory(name="Press line 3", code="P-03", andon_enabled=True)


def _report(client, token: str, photo: bytes | None = None, **fields):
    page = client.get(f"/andon/{token}")
    data = {
        "csrf_token": csrf_token_from(page.text),
        "category": "safety",
        "description": "Oil on the floor next to press 3",
        "reporter_name": "",
        **fields,
    }
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "photo.jpg")
    return client.post(f"/andon/{token}", data=data, content_type="multipart/form-data")


def _count(model) -> int:
    from gemba_walk.extensions import db

    db.session.rollback()  # a fresh look: other apps (rate-limited ones) wrote meanwhile
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_with_the_andon_off_the_label_asks_a_signed_out_person_to_sign_in(app, client):
    area = AreaFactory()
    answer = client.get(f"/a/{area.qr_token}")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    not_enabled = client.get(f"/andon/{area.qr_token}")
    assert not_enabled.status_code == 404
    assert "Reporting without an account is not enabled here" in not_enabled.text


def test_an_admin_turns_the_andon_on_from_the_area_page(app, client, auth):
    area = AreaFactory()
    auth.login_as("admin")
    page = client.get(f"/areas/{area.id}")
    assert "Turn the andon on" in page.text
    answer = client.post(
        f"/andon/areas/{area.id}", data={"csrf_token": csrf_token_from(page.text), "enabled": "1"}
    )
    assert answer.status_code == 302
    assert "Andon on for" in client.get(answer.headers["Location"]).text
    assert area.andon_enabled is True


def test_the_label_offers_only_the_report_form_to_someone_signed_out(app, client, andon_area):
    TicketFactory(area=andon_area, title="Guard missing on press 3")
    answer = client.get(f"/a/{andon_area.qr_token}")
    assert answer.headers["Location"] == f"/andon/{andon_area.qr_token}"
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200
    assert "Report a problem" in page.text and "Press line 3" in page.text
    assert "I have an account: sign in" in page.text
    # Nothing else of the app: no tickets, no navigation, no script but the one that keeps a
    # report on the device when the network drops (andon.js) and its words.
    assert "Guard missing" not in page.text and "mainnav" not in page.text
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert len(scripts) == 2 and 'id="js-messages"' in scripts[0] and "/andon-" in scripts[1]


def test_a_report_with_a_photo_and_a_name_waits_for_triage_not_on_the_board(
    app, client, andon_area
):
    answer = _report(
        client, andon_area.qr_token, camera_jpeg(800, 600, orientation=None), reporter_name="Ana"
    )
    assert answer.status_code == 201
    assert "Thank you — your report is in" in answer.text
    report = app.extensions["sqlalchemy"].session.scalar(sa.select(AndonReport))
    assert (report.status, report.reporter_name, report.category) == ("new", "Ana", "safety")
    assert report.photo_sha256 and report.photo_width == 800
    assert _count(KaizenTicket) == 0 and _count(Finding) == 0


def test_an_empty_description_is_refused_with_a_message(app, client, andon_area):
    answer = _report(client, andon_area.qr_token, description="   ")
    assert answer.status_code == 422
    assert "Write what you saw" in answer.text
    assert _count(AndonReport) == 0


def test_a_file_that_is_no_image_is_refused_like_every_upload(app, client, andon_area):
    answer = _report(client, andon_area.qr_token, photo=b"%PDF-1.7 not a photo at all")
    assert answer.status_code == 415
    assert "This file is not a photo we can read" in answer.text
    assert _count(AndonReport) == 0


def test_a_flood_from_one_address_gets_a_429_with_a_message(make_app, andon_area):
    limited = make_app(RATELIMIT_ENABLED=True, ANDON_LIMIT_PER_ADDRESS="3 per minute")
    client = limited.test_client()
    statuses = [_report(client, andon_area.qr_token).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = _report(client, andon_area.qr_token)
    assert "Many problems were just reported from here" in refused.text
    assert _count(AndonReport) == 3


def test_an_area_takes_only_so_many_reports_from_all_addresses(app, make_app, andon_area):
    limited = make_app(
        RATELIMIT_ENABLED=True,
        ANDON_LIMIT_PER_ADDRESS="100 per minute",
        ANDON_LIMIT_PER_AREA="2 per minute",
        ANDON_LIMIT_PER_AREA_NEW_ADDRESSES="1 per minute",
    )
    statuses = []
    for n in range(4):  # past the area's limit, new addresses get through at the lower rate
        client = limited.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        statuses.append(_report(client, andon_area.qr_token).status_code)
    assert statuses == [201, 201, 201, 429]
    app.extensions["sqlalchemy"].session.rollback()  # end this test's read before writing
    other_area = AreaFactory(andon_enabled=True)
    assert _report(limited.test_client(), other_area.qr_token).status_code == 201


def test_a_leader_accepts_a_report_and_the_ticket_says_it_came_from_the_andon(
    app, client, andon_area
):
    _report(
        client, andon_area.qr_token, camera_jpeg(800, 600, orientation=None), reporter_name="Ana"
    )
    auth = AuthActions(client)
    leader = auth.login_as("leader")
    triage = client.get("/andon/triage")
    assert "Oil on the floor next to press 3" in triage.text and "Ana" in triage.text
    report = app.extensions["sqlalchemy"].session.scalar(sa.select(AndonReport))
    photo = client.get(f"/andon/reports/{report.id}/photo?size=thumb")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    answer = client.post(
        f"/andon/reports/{report.id}/accept",
        data={"csrf_token": csrf_token_from(triage.text), "severity": "high"},
    )
    assert answer.status_code == 302
    ticket = app.extensions["sqlalchemy"].session.scalar(sa.select(KaizenTicket))
    assert answer.headers["Location"].endswith(str(ticket.number))
    assert (ticket.severity, ticket.category, ticket.kind) == ("high", "safety", "abnormality")
    assert ticket.owner_id == andon_area.owner_id  # the same rules as any finding
    page = client.get(answer.headers["Location"], follow_redirects=True)
    assert "Reported at the andon" in page.text
    assert "by Ana, who has no account; accepted from triage." in page.text
    finding = app.extensions["sqlalchemy"].session.scalar(sa.select(Finding))
    assert finding.ticket_id == ticket.id and finding.reported_by_id == leader.id
    assert _count(Photo) == 1
    event = app.extensions["sqlalchemy"].session.scalar(
        sa.select(TicketEvent).where(TicketEvent.kind == "andon_report")
    )
    assert event.data == {"report": report.id, "reporter": "Ana"}
    assert report.status == "accepted" and report.ticket_id == ticket.id
    assert "Nothing waits for triage." in client.get("/andon/triage").text


def test_a_report_is_decided_once_even_by_two_leaders(app, client, andon_area):
    _report(client, andon_area.qr_token)
    auth = AuthActions(client)
    auth.login_as("leader")
    token = auth.csrf_token("/andon/triage")
    report_id = app.extensions["sqlalchemy"].session.scalar(sa.select(AndonReport.id))
    first = client.post(f"/andon/reports/{report_id}/accept", data={"csrf_token": token})
    second = client.post(f"/andon/reports/{report_id}/accept", data={"csrf_token": token})
    assert first.status_code == 302 and second.status_code == 409
    assert "Another leader has already decided" in second.text
    assert _count(KaizenTicket) == 1


def test_a_leader_dismisses_a_report_with_a_reason_and_no_ticket_opens(app, client, andon_area):
    _report(client, andon_area.qr_token)
    auth = AuthActions(client)
    auth.login_as("leader")
    token = auth.csrf_token("/andon/triage")
    report_id = app.extensions["sqlalchemy"].session.scalar(sa.select(AndonReport.id))
    empty = client.post(
        f"/andon/reports/{report_id}/dismiss", data={"csrf_token": token, "reason": " "}
    )
    assert empty.status_code == 303
    dismissed = client.post(
        f"/andon/reports/{report_id}/dismiss",
        data={"csrf_token": token, "reason": "Already cleaned; the leak is ticket KZ-0007"},
        follow_redirects=True,
    )
    assert "Dismissed. The reason is kept with the report." in dismissed.text
    assert "Already cleaned" in dismissed.text  # under "Decided lately"
    assert _count(KaizenTicket) == 0


def test_leaders_see_how_many_reports_wait_on_the_home_page(app, client, andon_area):
    _report(client, andon_area.qr_token, category="quality")  # Safety shows as an andon
    auth = AuthActions(client)
    auth.login_as("leader")
    assert "1 problem reported at the andon waits for triage." in client.get("/").text
    auth.logout()
    member = UserFactory()
    auth.login(member.email)
    assert "reported at the andon" not in client.get("/").text


def test_the_field_pack_says_which_areas_take_andon_reports(app, client, andon_area):
    AreaFactory()
    AuthActions(client).login_as("member")
    areas = client.get("/api/v1/pack").json["areas"]
    assert {area["code"]: area["andon"] for area in areas}[andon_area.code] is True
    assert sorted(area["andon"] for area in areas) == [False, True]


def test_a_leader_sees_the_reports_of_the_areas_they_own_first(app, client):
    leader = UserFactory(role="leader")
    others = AreaFactory(code="X-01", andon_enabled=True)
    own = AreaFactory(code="O-01", owner=leader, andon_enabled=True)
    _report(client, others.qr_token, description="Reported first, in the area of another leader")
    _report(client, own.qr_token, description="Reported second, in my own area")
    AuthActions(client).login(leader.email)
    text = client.get("/andon/triage").text
    assert text.index("in my own area") < text.index("area of another leader")


def test_prune_photos_removes_the_photo_of_a_report_received_long_ago(app, client, runner):
    from datetime import timedelta

    from gemba_walk.audits.photos import PhotoStore
    from gemba_walk.extensions import db

    area = AreaFactory(andon_enabled=True)
    _report(client, area.qr_token, PHOTO)
    leader = UserFactory(role="leader")
    report = db.session.scalar(sa.select(AndonReport))
    from gemba_walk.andon.operations import dismiss_report

    dismiss_report(report, leader, "A duplicate of KZ-0003")
    digest = report.photo_sha256
    stored = PhotoStore(app.config["PHOTO_STORAGE_PATH"]).path(digest)
    assert stored.exists()
    assert "photos of 0 andon report(s)" in runner.invoke(args=["prune-photos"]).output
    report.received_at -= timedelta(days=31)
    db.session.commit()
    assert "photos of 1 andon report(s)" in runner.invoke(args=["prune-photos"]).output
    assert not stored.exists() and report.photo_sha256 is None
    assert report.dismiss_reason == "A duplicate of KZ-0003"


def test_a_report_kept_on_a_device_and_sent_again_is_one_report(app, client, andon_area):
    """A phone keeps a report offline under its own id and sends it
    when the network is back; if the answer was lost it sends it again: still one report."""
    kept = "3f2b8c1e-9a4d-4e6f-8b1a-2c3d4e5f6a7b"
    first = _report(client, andon_area.qr_token, PHOTO, report_uuid=kept)
    again = _report(client, andon_area.qr_token, PHOTO, report_uuid=kept.upper())
    assert (first.status_code, again.status_code) == (201, 200)
    assert "Thank you — your report is in" in again.text
    assert _count(AndonReport) == 1


def test_a_damaged_report_id_is_refused_with_words(app, client, andon_area):
    answer = _report(client, andon_area.qr_token, report_uuid="3f2b8c1e-not-a-uuid")
    assert answer.status_code == 422
    assert "This report's id is damaged." in answer.text
    assert _count(AndonReport) == 0
