"""The andon from a label that reaches people.

- limits counted in the database, so every worker sees them: per address (5 per 10 minutes)
  and per area (30 per hour); a flood cannot silence an area (a new address still gets
  through, more slowly) and the area's leaders hear of it;
- an undecided report's photo is pruned with its age, like a decided one's;
- a Safety report pulls the andon at once, before triage: the area's leader hears on every
  channel, past quiet hours; Home shows it as an andon; triage proposes Critical.
"""

from __future__ import annotations

import io
import urllib.parse
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gemba_walk.andon.models import AndonReport
from gemba_walk.core.ids import utcnow
from gemba_walk.notify import jobs
from gemba_walk.notify.models import NotifyEvent, NotifyPreference
from tests import notify_tools
from tests.conftest import AuthActions, csrf_token_from
from tests.factories import AreaFactory, UserFactory
from tests.live_http import LiveClient
from tests.photo_tools import camera_jpeg

PHOTO = camera_jpeg(800, 600, orientation=None)


def _report_from(server: str, token: str, address: str, text: str = "Oil on the floor") -> int:
    """A phone behind the plant's proxy at ``address`` reports through the real form."""
    phone = LiveClient(server)
    csrf = csrf_token_from(phone.get(f"/andon/{token}").text)
    fields = {"csrf_token": csrf, "category": "quality", "description": text}
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": address}
    answer = phone.request(
        "POST", f"/andon/{token}", urllib.parse.urlencode(fields).encode(), headers
    )
    assert answer.status in (201, 429), answer.text
    if answer.status == 429:
        assert "Many problems were just reported from here" in answer.text
    return answer.status


@pytest.fixture
def limited_server(make_live_server):
    """Two gunicorn workers: a count kept in one worker's memory lets twice as many through."""
    return make_live_server(workers=2, env={"RATELIMIT_ENABLED": "1", "TRUSTED_PROXIES": "1"})


def _stored(db) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(AndonReport))


# --- 7. limits every worker sees ------------------------------------------------------------


def test_one_address_gets_five_reports_in_ten_minutes_on_every_worker(app, db, limited_server):
    area = AreaFactory(andon_enabled=True)
    db.session.commit()
    statuses = [_report_from(limited_server, area.qr_token, "203.0.113.9") for _ in range(8)]
    assert statuses == [201] * 5 + [429] * 3
    assert _stored(db) == 5


def test_a_flood_cannot_silence_an_area_and_its_leader_hears_of_it(app, db, limited_server):
    """30 reports an hour from all addresses; past that, each new address still gets one
    through (the rest of a flooding address is refused) and the area's leader is told once."""
    leader = UserFactory(role="leader")
    area = AreaFactory(andon_enabled=True, owner=leader)
    db.session.commit()
    flood = [
        _report_from(limited_server, area.qr_token, f"203.0.113.{n // 5 + 1}") for n in range(30)
    ]
    assert flood == [201] * 30
    assert _report_from(limited_server, area.qr_token, "203.0.113.1") == 429, "part of the flood"
    newcomer = [_report_from(limited_server, area.qr_token, "198.51.100.77") for _ in range(2)]
    assert newcomer == [201, 429], "a new reporter still gets through, once"
    assert _report_from(limited_server, area.qr_token, "198.51.100.78") == 201
    assert _stored(db) == 32
    events = db.session.scalars(sa.select(NotifyEvent).where(NotifyEvent.kind == "andon.flooded"))
    assert len(events.all()) == 1
    jobs.run_pending()
    told = notify_tools.inbox(db)
    assert [user for user, _ in told] == [leader.id]
    assert (
        f"Andon flood in {area.code}" in told[0][1] and "30 reports within the hour" in told[0][1]
    )


def test_without_rate_limits_configured_nothing_is_counted(app, client):
    area = AreaFactory(andon_enabled=True)
    for _ in range(7):
        assert _report(client, area.qr_token, category="quality").status_code == 201


def test_an_undecided_reports_photo_is_pruned_with_its_age(app, db, client, runner):
    """Triaged or not, a report's photo (about 1 MB) goes after ANDON_PHOTO_MAX_AGE_DAYS."""
    from gemba_walk.audits.photos import PhotoStore

    area = AreaFactory(andon_enabled=True)
    _report(client, area.qr_token, PHOTO, category="quality")
    report = db.session.scalar(sa.select(AndonReport))
    stored = PhotoStore(app.config["PHOTO_STORAGE_PATH"]).path(report.photo_sha256)
    assert stored.exists() and report.status == "new"
    report.received_at -= timedelta(days=29)
    db.session.commit()
    assert "photos of 0 andon report(s)" in runner.invoke(args=["prune-photos"]).output
    report.received_at -= timedelta(days=2)
    db.session.commit()
    assert "photos of 1 andon report(s)" in runner.invoke(args=["prune-photos"]).output
    assert not stored.exists() and report.photo_sha256 is None
    assert report.description == "Oil on the floor next to press 3" and report.status == "new"


# --- 8. safety first ------------------------------------------------------------------------


def _report(client, token: str, photo: bytes | None = None, **fields):
    page = client.get(f"/andon/{token}")
    data = {
        "csrf_token": csrf_token_from(page.text),
        "category": "safety",
        "description": "Oil on the floor next to press 3",
        **fields,
    }
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "photo.jpg")
    return client.post(f"/andon/{token}", data=data, content_type="multipart/form-data")


def test_a_safety_report_reaches_the_area_leader_at_once_on_every_channel(app, db, client, smtp):
    """Before any triage, and through the leader's quiet hours, like a critical finding."""
    leader = UserFactory(role="leader", email="lia@plant.example")
    other = UserFactory(role="leader")
    area = AreaFactory(andon_enabled=True, owner=leader, code="P-04", name="Press 4")
    now = utcnow()
    db.session.add(
        NotifyPreference(
            user_id=leader.id,
            quiet_start=f"{now - timedelta(hours=1):%H:%M}",
            quiet_end=f"{now + timedelta(hours=2):%H:%M}",
            email_digest=True,
        )
    )
    db.session.commit()
    answer = _report(
        client, area.qr_token, PHOTO, description="Oil leak at station 4, floor slippery"
    )
    assert answer.status_code == 201
    jobs.run_pending()
    rows = notify_tools.deliveries(db)
    assert ("andon.reported", leader.id, "inbox", "sent") in rows
    assert ("andon.reported", leader.id, "email", "sent") in rows
    assert {row[1] for row in rows} == {leader.id}, "the area's own leader, not every leader"
    event = db.session.scalar(sa.select(NotifyEvent).where(NotifyEvent.kind == "andon.reported"))
    assert event.urgent
    mail = smtp.mailbox.wait_for(1)[0]
    assert mail["Subject"].startswith("ANDON Safety reported in P-04 · Press 4, before triage")
    assert "/andon/triage" in mail.get_body(("plain",)).get_content()
    auth = AuthActions(client)
    auth.login(leader.email)
    assert client.get("/notifications/count").json["unread"] == 1, "the bell"
    assert other.id not in {row[1] for row in rows}


def test_other_categories_wait_for_triage_without_an_alert(app, db, client):
    leader = UserFactory(role="leader")
    area = AreaFactory(andon_enabled=True, owner=leader)
    db.session.commit()
    assert _report(client, area.qr_token, category="quality").status_code == 201
    jobs.run_pending()
    assert notify_tools.deliveries(db) == []


def test_home_shows_a_safety_report_as_an_andon_and_triage_proposes_critical(app, db, client):
    area = AreaFactory(andon_enabled=True, code="P-04", name="Press 4")
    _report(client, area.qr_token, description="Oil leak at station 4, floor slippery")
    _report(client, area.qr_token, category="quality", description="Labels smudged")
    AuthActions(client).login_as("leader")
    home = client.get("/").text
    assert "Safety reported in P-04 · Press 4 at" in home and "go and see now." in home
    assert "Oil leak at station 4, floor slippery" in home
    assert 'class="card andon andon-urgent" role="alert"' in home
    # The yellow line counts only what can wait.
    assert "1 problem reported at the andon waits for triage." in home
    triage = client.get("/andon/triage").text
    safety = triage[triage.index("Oil leak at station 4") :]
    safety = safety[: safety.index("</select>")]
    assert '<option value="critical" selected>' in safety
    quality = triage[triage.index("Labels smudged") :]
    quality = quality[: quality.index("</select>")]
    assert '<option value="medium" selected>' in quality
