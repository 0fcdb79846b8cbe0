"""E-mail over a real SMTP server (aiosmtpd): HTML and plain text, once per event; a server
that refuses or is down leaves the delivery to be retried and the app unaffected; quiet hours
and the daily digest hold mail, an andon pull passes both; nothing is sent without SMTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.findings.operations import report_problem
from gemba_walk.notify import jobs
from gemba_walk.notify.models import Delivery, NotifyPreference
from tests import notify_tools
from tests.factories import AreaFactory, UserFactory


@pytest.fixture
def plant(app, db):
    leader = UserFactory(role="leader", name="Lia Leader", email="lia@plant.example")
    reporter = UserFactory(role="member", name="Rita Reporter")
    area = AreaFactory(owner=leader, code="PR-1", name="Press line")
    db.session.commit()
    return {"leader": leader, "reporter": reporter, "area": area}


def report(plant, severity="medium", text="Oil under press 3"):
    return report_problem(
        plant["reporter"],
        area_id=plant["area"].id,
        category="safety",
        severity=severity,
        description=text,
    ).ticket


def prefer(db, user, **values):
    with write_transaction():
        db.session.merge(NotifyPreference(user_id=user.id, **values))


def test_a_new_ticket_reaches_the_area_leader_by_mail_once_in_html_and_text(db, smtp, plant):
    ticket = report(plant)
    jobs.run_pending()
    jobs.run_pending()
    mail = smtp.mailbox.wait_for(1)[0]
    assert mail["To"] == "lia@plant.example"
    assert ticket.display_number in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert f"http://gemba.test/tickets/{ticket.number}" in text
    assert f'href="http://gemba.test/tickets/{ticket.number}"' in html
    assert len(smtp.mailbox.accepted) == 1
    assert notify_tools.deliveries(db, "email") == [
        ("ticket.opened", plant["leader"].id, "email", "sent")
    ]


def test_a_refusing_server_then_a_dead_one_leave_the_mail_to_be_retried(db, app, smtp, plant):
    smtp.mailbox.refuse = True
    report(plant)
    assert jobs.run_pending()["retry"] == 1
    delivery = db.session.scalar(sa.select(Delivery).where(Delivery.channel == "email"))
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "451" in delivery.last_error
    assert delivery.next_try_at > utcnow()

    app.config["SMTP_PORT"] = smtp.port + 1 if smtp.port < 65535 else 1  # nobody listens there
    assert jobs.run_pending(utcnow() + timedelta(minutes=1))["retry"] == 1
    db.session.refresh(delivery)
    assert delivery.attempts == 2 and "SMTP" in delivery.last_error

    # The rest of the app goes on meanwhile: another report is stored and told in the inbox.
    report(plant, text="Guard missing on saw 2")
    app.config["SMTP_PORT"] = smtp.port
    smtp.mailbox.refuse = False
    jobs.run_pending(utcnow() + timedelta(minutes=5))
    subjects = " | ".join(sorted(m["Subject"] for m in smtp.mailbox.wait_for(2)))
    assert "Oil under press" in subjects and "Guard missing" in subjects
    assert len(notify_tools.inbox(db)) == 2


def test_quiet_hours_hold_mail_until_they_end_but_an_andon_passes(db, smtp, plant):
    now = utcnow()
    start, end = now - timedelta(hours=1), now + timedelta(hours=2)
    prefer(db, plant["leader"], quiet_start=f"{start:%H:%M}", quiet_end=f"{end:%H:%M}")
    report(plant)
    ticket = report(plant, severity="critical", text="Light curtain bypassed")
    jobs.run_pending(now)
    mail = smtp.mailbox.wait_for(1)[0]
    assert mail["Subject"].startswith("ANDON"), "the andon pull passes quiet hours"
    held = [row[0] for row in notify_tools.deliveries(db, "email") if row[3] == "held"]
    assert held == ["ticket.opened", "ticket.opened", "ticket.due_soon"]

    jobs.acknowledge_andon(ticket, plant["leader"])
    jobs.run_pending(end.replace(second=0, microsecond=0) + timedelta(minutes=1))
    after = smtp.mailbox.wait_for(2)[1]
    assert after["Subject"] == "Gemba Walk: 3 things for you", "held mail goes as one"
    assert "Oil under press" in after.get_body(("plain",)).get_content()
    assert len(smtp.mailbox.accepted) == 2


def test_a_daily_digest_sends_one_mail_with_everything_at_its_hour(db, smtp, plant):
    prefer(db, plant["leader"], email_digest=True)
    now = utcnow().replace(hour=9, minute=0, second=0, microsecond=0)
    report(plant)
    report(plant, text="Forklift horn broken")
    jobs.run_pending(now)
    assert smtp.mailbox.accepted == []
    jobs.run_pending(now + timedelta(hours=22, minutes=1))  # 07:01 the next day
    mail = smtp.mailbox.wait_for(1)[0]
    assert mail["Subject"] == "Gemba Walk: 2 things for you"
    text = mail.get_body(("plain",)).get_content()
    assert "Oil under press" in text and "Forklift horn" in text
    jobs.run_pending(now + timedelta(days=2))
    assert len(smtp.mailbox.accepted) == 1


def test_without_smtp_nothing_is_tried_and_the_admin_page_says_so(db, client, auth, plant):
    report(plant)
    jobs.run_pending()
    assert notify_tools.deliveries(db, "email") == []
    auth.login_as("admin")
    page = client.get("/admin/notifications").text
    assert "Not configured: set SMTP_HOST" in page


def test_choices_turn_mail_off_per_event_and_bad_times_are_refused(db, client, auth, smtp, plant):
    auth.login(plant["leader"].email)
    token = auth.csrf_token("/notifications/preferences")
    bad = client.post(
        "/notifications/preferences",
        data={"csrf_token": token, "quiet_start": "25:00", "quiet_end": "06:00"},
    )
    assert bad.status_code == 422 and "Quiet from must be a time" in bad.text
    half = client.post(
        "/notifications/preferences", data={"csrf_token": token, "quiet_start": "22:00"}
    )
    assert half.status_code == 422 and "both ends" in half.text
    saved = client.post(
        "/notifications/preferences",
        data={"csrf_token": token, "push:ticket.opened": "1", "email:ticket.done": "1"},
    )
    assert saved.status_code == 302
    report(plant)
    jobs.run_pending()
    assert notify_tools.deliveries(db, "email") == []
    assert len(notify_tools.inbox(db)) == 1, "the bell always tells"


def test_an_operator_without_email_hears_in_the_inbox_and_no_mail_is_tried(db, smtp, plant):
    """Accounts may sign in with a username alone: such a leader still hears of a new
    ticket in the app, and no mail is queued for an address that does not exist."""
    operator = plant["leader"]
    operator.email, operator.username = None, "lia.line3"
    db.session.commit()
    report(plant)
    jobs.run_pending()
    assert notify_tools.deliveries(db, "email") == []
    assert [kind for kind, user, *_ in notify_tools.deliveries(db, "inbox")] == ["ticket.opened"]
    assert smtp.mailbox.accepted == []
