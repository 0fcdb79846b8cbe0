"""From finding to kaizen ticket: open, join the open one, or reopen a fix that did not hold."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from gemba_walk.audits.models import Finding, Photo
from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistItem, ChecklistTemplate
from gemba_walk.core import i18n
from gemba_walk.notify import jobs
from gemba_walk.tickets.history import sentence
from gemba_walk.tickets.models import KaizenTicket, TicketEvent
from tests import notify_tools
from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD, AreaFactory, UserFactory
from tests.live_phone import Phone
from tests.photo_tools import camera_jpeg, sha256
from tests.sync_batches import batch, finding, iso, new_id


@pytest.fixture
def plant(db, auth):
    """An area owned by Olga, the published checklists, and a leader signed in on a phone."""
    ensure_default_templates()
    db.session.commit()
    owner = UserFactory(role="member", name="Olga Owner")
    area = AreaFactory(owner=owner)
    other_area = AreaFactory(site=area.site)
    leader = auth.login_as("leader")
    return {
        "area": {"id": area.id},
        "other": {"id": other_area.id},
        "owner": owner,
        "leader": leader,
    }


def five_s_item(key_index: int = 0) -> ChecklistItem:
    template = ChecklistTemplate.query.filter_by(key="5s-audit").one()
    return template.versions[-1].items[key_index]


def sync_one(api, record: dict) -> dict:
    response = api.sync(batch(findings=[record]))
    assert response.status_code == 200, response.json
    return response.json["findings"][0]["ticket"]


def ticket(db, number: str) -> KaizenTicket:
    db.session.rollback()
    return db.session.scalar(
        sa.select(KaizenTicket).where(KaizenTicket.number == int(number.removeprefix("KZ-")))
    )


def test_an_abnormality_opens_a_ticket_for_the_area_owner_due_by_severity(api, db, plant):
    data = camera_jpeg(800, 600, orientation=None)
    photo = new_id()
    assert api.put_photo(photo, data, sha256(data)).status_code == 201
    seen = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    record = finding(
        plant["area"],
        kind="abnormality",
        category="safety",
        severity="critical",
        description="Guard removed from the belt conveyor",
        observed_at=iso(seen),
        photo_uuids=[photo],
    )
    answer = sync_one(api, record)
    assert answer["outcome"] == "opened" and answer["occurrences"] == 1
    opened = ticket(db, answer["number"])
    assert opened.display_number == answer["number"]
    assert (opened.owner_id, opened.created_by_id) == (plant["owner"].id, plant["leader"].id)
    assert (opened.severity, opened.priority, opened.status) == ("critical", 1, "open")
    assert opened.due_date == date(2026, 11, 21)  # critical / safety: one day
    assert opened.problem == opened.title == "Guard removed from the belt conveyor"
    stored_photo = db.session.scalar(sa.select(Photo).where(Photo.uuid == photo))
    assert (stored_photo.ticket_id, stored_photo.role) == (opened.id, "before")
    assert [e.kind for e in opened.events] == ["opened"]


@pytest.mark.parametrize(
    ("severity", "days", "priority"),
    [("critical", 1, 1), ("high", 3, 2), ("medium", 7, 3), ("low", 14, 4)],
)
def test_due_date_and_priority_follow_severity(api, db, plant, severity, days, priority):
    seen = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    answer = sync_one(
        api, finding(plant["area"], category="quality", severity=severity, observed_at=iso(seen))
    )
    opened = ticket(db, answer["number"])
    assert (opened.due_date - seen.date()).days == days
    assert opened.priority == priority


def test_due_days_are_configurable(make_app, db, plant):
    app = make_app(TICKET_DUE_DAYS={"low": 30})
    client = app.test_client()
    assert (
        client.post(
            "/login",
            data={
                "email": plant["leader"].email,
                "password": DEFAULT_PASSWORD,
                "csrf_token": csrf_token_from(client.get("/login").text),
            },
        ).status_code
        == 302
    )
    token = client.get("/api/v1/me").json["csrf_token"]
    seen = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    record = finding(plant["area"], category="cost", severity="low", observed_at=iso(seen))
    answer = client.post(
        "/api/v1/sync", json=batch(findings=[record]), headers={"X-CSRFToken": token}
    )
    opened = ticket(db, answer.json["findings"][0]["ticket"]["number"])
    assert opened.due_date == date(2026, 3, 31)


def test_the_same_checklist_item_again_joins_the_open_ticket(api, db, plant):
    item = five_s_item(0)

    def seen_again(description: str, **extra) -> dict:
        return sync_one(
            api,
            finding(
                plant["area"],
                kind="5s",
                category=item.section,
                item_id=item.id,
                severity="medium",
                description=description,
                **extra,
            ),
        )

    first = seen_again("Broken pallets behind the press")
    data = camera_jpeg(640, 480, orientation=None)
    photo = new_id()
    api.put_photo(photo, data, sha256(data))
    second = seen_again("Still broken pallets", photo_uuids=[photo])
    third = seen_again("Pallets again")
    assert first["outcome"] == "opened"
    assert (second["outcome"], second["number"], second["occurrences"]) == (
        "joined",
        first["number"],
        2,
    )
    assert (third["number"], third["occurrences"]) == (first["number"], 3)
    joined = ticket(db, first["number"])
    assert joined.occurrences == 3
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Finding.id)).where(Finding.ticket_id == joined.id)
        )
        == 3
    )
    assert [
        p.uuid for p in db.session.scalars(sa.select(Photo).where(Photo.ticket_id == joined.id))
    ] == [photo]
    assert (joined.events[-1].kind, joined.events[-1].data["occurrence"]) == ("seen_again", 3)

    # Another item of the same area, or the same item in another area: separate tickets.
    other_item = five_s_item(1)
    elsewhere = sync_one(
        api,
        finding(
            plant["area"],
            kind="5s",
            category=other_item.section,
            item_id=other_item.id,
            severity="medium",
        ),
    )
    other_area = sync_one(
        api,
        finding(
            plant["other"], kind="5s", category=item.section, item_id=item.id, severity="medium"
        ),
    )
    assert len({first["number"], elsewhere["number"], other_area["number"]}) == 3


def test_two_different_problems_of_one_category_are_two_tickets(api, db, plant):
    """A bypassed light curtain and an oil leak are both Safety, not the same."""
    curtain = sync_one(
        api,
        finding(plant["area"], severity="high", description="Light curtain bypassed on P4"),
    )
    leak = sync_one(
        api,
        finding(plant["area"], severity="critical", description="Hydraulic oil leak under P2"),
    )
    assert (curtain["outcome"], leak["outcome"]) == ("opened", "opened")
    assert curtain["number"] != leak["number"]
    first = ticket(db, curtain["number"])
    assert (first.severity, first.title, first.occurrences) == (
        "high",
        "Light curtain bypassed on P4",
        1,
    )
    assert ticket(db, leak["number"]).severity == "critical"


def test_a_report_chosen_as_the_same_problem_joins_and_raises_severity_and_due_date(
    app, api, db, plant
):
    seen = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    first = sync_one(
        api,
        finding(
            plant["area"],
            severity="low",
            description="Guard loose on belt B",
            observed_at=iso(seen),
        ),
    )
    assert ticket(db, first["number"]).due_date == date(2026, 11, 16)  # low: 14 days
    again = sync_one(
        api,
        finding(
            plant["area"],
            severity="critical",
            description="Guard fell off belt B",
            observed_at=iso(seen + timedelta(days=3)),
            same_as_ticket=first["number"],
        ),
    )
    assert (again["number"], again["outcome"], again["occurrences"]) == (
        first["number"],
        "joined",
        2,
    )
    joined = ticket(db, first["number"])
    assert (joined.severity, joined.priority) == ("critical", 1)
    assert joined.due_date == date(2026, 11, 6)  # critical, one day after the second sighting
    assert joined.title == "Guard loose on belt B"  # the problem keeps its name
    history = joined.events[-1]
    assert history.kind == "severity_raised"
    assert history.data == {
        "severity": ["low", "critical"],
        "due_date": ["2026-11-16", "2026-11-06"],
    }
    with app.test_request_context():
        assert sentence(history) == (
            "A more serious occurrence: severity raised from Low to Critical / safety. "
            "Due date brought forward to 06 Nov 2026 (was 16 Nov 2026)."
        )

    # A milder sighting later changes neither severity nor due date.
    sync_one(
        api,
        finding(plant["area"], severity="low", same_as_ticket=first["number"]),
    )
    assert (ticket(db, first["number"]).severity, ticket(db, first["number"]).due_date) == (
        "critical",
        date(2026, 11, 6),
    )


def test_same_as_a_ticket_of_another_area_or_an_unknown_one_is_refused(api, db, plant):
    other = sync_one(api, finding(plant["other"], description="Leak elsewhere"))
    for number in (other["number"], "KZ-9999"):
        answer = api.sync(batch(findings=[finding(plant["area"], same_as_ticket=number)]))
        assert answer.status_code == 422
        assert f"{number} is not a ticket of this area." in str(answer.json["error"]["details"])
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(KaizenTicket.id))) == 1


def test_a_finding_that_joins_a_done_ticket_sends_it_back_to_the_team(api, db, plant):
    """Seen again while waiting for verification — it cannot be verified so."""
    first = sync_one(api, item_finding(plant["area"], "Pallets in the walkway", severity="low"))
    done = ticket(db, first["number"])
    done.status, done.countermeasure = "done", "Pallets removed, floor marked"
    db.session.commit()

    again = sync_one(
        api, item_finding(plant["area"], "Pallets back in the walkway", severity="low")
    )
    assert (again["number"], again["outcome"], again["status"]) == (
        first["number"],
        "joined",
        "in_progress",
    )
    back = ticket(db, first["number"])
    assert back.status == "in_progress" and back.occurrences == 2
    status_change = [e for e in back.events if e.to_status][-1]
    assert status_change.kind == "back_to_team"
    assert status_change.data == {"from": "done", "to": "in_progress"}
    jobs.run_pending()
    told = notify_tools.inbox(db, back.id)
    assert [(user_id, "seen again before verification" in message) for user_id, message in told][
        -1:
    ] == [(plant["owner"].id, True)]


def test_an_empty_finding_is_refused_and_nothing_is_stored(api, db, plant):
    """The server's half: a finding is something seen — words or a photo."""
    empty = finding(plant["area"], description="   ", photo_uuids=[])
    answer = api.sync(batch(findings=[empty]))
    assert answer.status_code == 422
    assert answer.json["error"]["details"] == [
        {
            "record": f"finding {empty['uuid']}",
            "message": "This finding is empty: describe what you saw or add a photo of it.",
        }
    ]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Finding.id))) == 0


def _verify(db, number: str, verifier, days_ago: int) -> None:
    closed = ticket(db, number)
    closed.status = "verified"
    closed.verified_by_id = verifier.id
    closed.verified_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days_ago)
    db.session.commit()


def item_finding(
    area: dict, description: str, index: int = 0, severity: str = "medium", **fields
) -> dict:
    item = five_s_item(index)
    return finding(
        area,
        kind="5s",
        category=item.section,
        item_id=item.id,
        severity=severity,
        description=description,
        **fields,
    )


def test_a_problem_back_within_90_days_of_verification_reopens_as_recurred(api, db, plant):
    verifier = UserFactory(role="leader", name="Vera Verifier")
    first = sync_one(api, item_finding(plant["area"], "Oil leak"))
    _verify(db, first["number"], verifier, days_ago=30)

    again = sync_one(api, item_finding(plant["area"], "Oil again"))
    assert (again["number"], again["outcome"], again["status"]) == (
        first["number"],
        "reopened",
        "reopened",
    )
    reopened = ticket(db, first["number"])
    assert reopened.recurred and reopened.occurrences == 2
    assert reopened.events[-1].kind == "recurred"
    assert reopened.events[-1].data == {"from": "verified", "to": "reopened", "text": "Oil again"}
    jobs.run_pending()
    told = [
        user_id for user_id, message in notify_tools.inbox(db, reopened.id) if "recurred" in message
    ]
    assert sorted(told) == sorted([plant["owner"].id, verifier.id])


def test_a_finding_captured_before_the_verification_joins_the_history_and_never_reopens(
    app, api, db, plant
):
    """A phone offline since Dec 4 syncs on Dec 8 what it saw on Dec 4;
    the ticket was verified on Dec 7. The sighting is part of the story, not a recurrence."""
    verifier = UserFactory(role="leader", name="Vera Verifier")
    first = sync_one(api, item_finding(plant["area"], "Oil leak"))
    _verify(db, first["number"], verifier, days_ago=1)
    verified_at = ticket(db, first["number"]).verified_at
    captured = verified_at - timedelta(days=3)

    late = sync_one(
        api,
        item_finding(
            plant["area"], "Oil under the press", observed_at=iso(captured.replace(tzinfo=UTC))
        ),
    )
    assert (late["number"], late["outcome"], late["status"]) == (
        first["number"],
        "joined",
        "verified",
    )
    closed = ticket(db, first["number"])
    assert (closed.status, closed.recurred, closed.occurrences) == ("verified", False, 2)
    assert closed.verified_at == verified_at and closed.verified_by_id == verifier.id
    last = closed.events[-1]
    assert last.kind == "seen_before_verification" and last.occurred_at == captured
    assert last.data == {
        "captured": captured.replace(microsecond=0).isoformat(),
        "text": "Oil under the press",
    }
    with app.test_request_context():
        assert sentence(last) == (
            f"Seen before the verification (captured {captured:%d %b %H:%M} UTC): "
            "Oil under the press"
        )
        with i18n.force_locale("de"):  # read in the reader's language
            assert sentence(last).startswith("Vor der Bestätigung gesehen (erfasst ")
    jobs.run_pending()
    assert not [m for _u, m in notify_tools.inbox(db, closed.id) if "recurred" in m]

    # Seen after the verification: that is a recurrence, as before.
    again = sync_one(api, item_finding(plant["area"], "Oil again"))
    assert (again["number"], again["outcome"]) == (first["number"], "reopened")


def test_a_problem_back_after_90_days_opens_a_new_ticket(api, db, plant):
    verifier = UserFactory(role="leader")
    first = sync_one(api, item_finding(plant["area"], "Air leak"))
    _verify(db, first["number"], verifier, days_ago=91)
    later = sync_one(api, item_finding(plant["area"], "Air leak"))
    assert later["outcome"] == "opened" and later["number"] != first["number"]
    assert ticket(db, first["number"]).status == "verified"


def test_ticket_numbers_count_up_and_are_never_reused(api, db, plant):
    numbers = [
        sync_one(api, finding(plant["area"], category=c, severity="low"))["number"]
        for c in ("safety", "quality", "delivery")
    ]
    values = [int(n.removeprefix("KZ-")) for n in numbers]
    assert values == list(range(values[0], values[0] + 3))
    rejected = ticket(db, numbers[-1])
    rejected.status = "rejected"
    db.session.commit()
    after = sync_one(api, finding(plant["area"], category="delivery", severity="low"))["number"]
    assert int(after.removeprefix("KZ-")) == values[-1] + 1


def test_a_finding_sent_again_names_its_ticket(api, db, plant):
    record = finding(plant["area"], category="safety")
    first = api.sync(batch(findings=[record])).json["findings"][0]
    again = api.sync(batch(findings=[record])).json["findings"][0]
    assert again["status"] == "duplicate"
    assert again["ticket"] == {"number": first["ticket"]["number"], "outcome": "recorded"}


# --- two phones at the same moment, against the real server ----------------------------------


def test_two_phones_syncing_the_same_problem_at_once_make_one_ticket(db, live_server):
    ensure_default_templates()
    db.session.commit()
    area_id = AreaFactory().id
    people = [UserFactory(role="leader").email for _ in range(2)]
    # plain values: the phones' threads have no database session
    shared, *own = [
        SimpleNamespace(id=i.id, section=i.section, key=i.key)
        for i in (five_s_item(0), five_s_item(1), five_s_item(2))
    ]
    db.session.rollback()  # no read transaction left open beside the server's writes
    phones = [Phone(live_server, email) for email in people]
    rounds, answers, errors = 6, [], []
    start = threading.Barrier(len(phones))

    def walk(phone: Phone, index: int) -> None:
        try:
            for round_ in range(rounds):
                start.wait(timeout=30)
                records = [
                    finding(
                        {"id": area_id},
                        kind="5s",
                        category=shared.section,
                        item_id=shared.id,
                        description=f"Scratches {index}/{round_}",
                    ),
                    finding(
                        {"id": area_id},
                        kind="5s",
                        category=own[index].section,
                        item_id=own[index].id,
                        description=f"Own problem {index}/{round_}",
                    ),
                ]
                answers.extend(f["ticket"] for f in phone.sync(batch(findings=records))["findings"])
        except threading.BrokenBarrierError:
            pass  # the other phone failed; its error is reported
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
            start.abort()

    threads = [threading.Thread(target=walk, args=(p, i)) for i, p in enumerate(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    db.session.rollback()
    tickets = db.session.scalars(
        sa.select(KaizenTicket).where(KaizenTicket.area_id == area_id)
    ).all()
    by_item = {t.item_key: t for t in tickets}
    assert sorted(by_item) == sorted([shared.key, own[0].key, own[1].key]) and len(tickets) == 3
    assert by_item[shared.key].occurrences == rounds * len(phones)
    numbers = [t.number for t in tickets]
    assert len(set(numbers)) == len(numbers)
    assert {a["number"] for a in answers} == {t.display_number for t in tickets}
    assert sorted(a["outcome"] for a in answers).count("opened") == 3
    assert (
        db.session.scalar(
            sa.select(sa.func.count(TicketEvent.id)).where(TicketEvent.kind == "seen_again")
        )
        == rounds * len(phones) * 2 - 3
    )


# --- notes written on the phone at the gemba, synced later -----------------------------------


def note(number: str, body: str = "Checked: guard fixed and holding", kind="gemba_check") -> dict:
    return {
        "uuid": new_id(),
        "ticket_number": number,
        "kind": kind,
        "body": body,
        "occurred_at": iso(datetime(2026, 11, 24, 14, 5, tzinfo=UTC)),
    }


def test_an_offline_gemba_note_lands_once_in_the_ticket_history(api, db, plant):
    from gemba_walk.api.openapi import validator_for

    number = sync_one(api, finding(plant["area"], category="safety"))["number"]
    written = note(number)
    sent = batch(ticket_notes=[written])
    first = api.sync(sent)
    assert first.status_code == 200, first.json
    validator_for("SyncResult").validate(first.json)
    assert first.json["ticket_notes"] == [
        {"uuid": written["uuid"], "status": "created", "ticket": number}
    ]
    again = api.sync(batch(ticket_notes=[written]))  # the phone sends it once more
    assert again.json["ticket_notes"][0]["status"] == "duplicate"
    assert api.sync(sent).json == first.json  # the same batch: the same answer
    events = ticket(db, number).events
    checks = [e for e in events if e.kind == "gemba_check"]
    assert len(checks) == 1
    assert checks[0].data == {"text": written["body"]} and checks[0].actor_id == plant["leader"].id
    assert checks[0].occurred_at == datetime(2026, 11, 24, 14, 5)


def test_a_note_for_an_unknown_ticket_refuses_the_batch_and_stores_nothing(api, db, plant):
    number = sync_one(api, finding(plant["area"], category="safety"))["number"]
    good, bad = note(number), note("KZ-9999")
    response = api.sync(batch(ticket_notes=[good, bad]))
    assert response.status_code == 422
    assert "There is no ticket KZ-9999." in str(response.json["error"]["details"])
    assert [e.kind for e in ticket(db, number).events] == ["opened"]
    blank = api.sync(batch(ticket_notes=[note(number, body="   ")]))
    assert blank.status_code == 422 and "The note is empty." in str(blank.json)


def test_a_low_5s_score_opens_a_ticket_even_without_a_finding_from_the_phone(
    api, db, plant, client
):
    pack = client.get("/api/v1/pack").json
    from tests.sync_batches import five_s_audit

    audit = five_s_audit(pack, plant["area"], [4])
    audit["responses"][2]["score"] = 1
    audit["responses"][2]["note"] = "Rags and cans under the bench"
    audit["responses"][5]["score"] = 2  # covered by the finding the phone sent
    item5 = audit["responses"][5]["item_id"]
    sent = finding(
        plant["area"],
        audit,
        kind="5s",
        category="set_in_order",
        item_id=item5,
        severity="medium",
        description="Shadow board half empty",
    )
    answer = api.sync(batch([audit], [sent])).json
    tickets = [f["ticket"]["number"] for f in answer["findings"]]
    assert len(tickets) == 2 and len(set(tickets)) == 2
    made = ticket(db, tickets[1])
    item = db.session.get(ChecklistItem, audit["responses"][2]["item_id"])
    assert made.item_key == item.key
    assert made.problem == f"{item.prompt} — scored 1: Rags and cans under the bench"
    # The same audit again changes nothing.
    again = api.sync(batch([audit], [sent])).json
    assert [f["status"] for f in again["findings"]] == ["duplicate"]
    assert db.session.scalar(sa.select(sa.func.count(KaizenTicket.id))) == 2


def test_a_tickets_title_is_what_was_seen_kept_current_as_findings_join_and_the_teams_own(
    api, db, plant, client, auth
):
    """An answer past its limit titles the ticket with the item and its worst
    score, a score-1 finding joining a 'scored 2' ticket updates it, the first words a person
    wrote about it become the title, and a title the team wrote stays."""
    from tests.sync_batches import five_s_audit

    pack = client.get("/api/v1/pack").json
    item_at = 3

    def audit_scoring(score: int, note: str = "") -> str:
        audit = five_s_audit(pack, plant["area"], [4])
        audit["responses"][item_at]["score"], audit["responses"][item_at]["note"] = score, note
        answer = api.sync(batch([audit]))
        assert answer.status_code == 200, answer.json
        return answer.json["findings"][0]["ticket"]["number"]

    number = audit_scoring(2)
    prompt = " ".join(five_s_item(item_at).prompt.split())
    assert ticket(db, number).title == f"{prompt} — scored 2"
    assert audit_scoring(1) == number
    assert ticket(db, number).title == f"{prompt} — scored 1"  # its worst answer now
    assert audit_scoring(2) == number
    assert ticket(db, number).title == f"{prompt} — scored 1"
    assert audit_scoring(2, "Labels on the racks faded, two missing") == number
    assert ticket(db, number).title == "Labels on the racks faded, two missing"

    page = client.get(f"/tickets/{number.removeprefix('KZ-')}")
    assert 'name="title"' in page.text
    saved = client.post(
        f"/tickets/{number.removeprefix('KZ-')}/pdca",
        data={"csrf_token": csrf_token_from(page.text), "title": "  Rack labels missing  "},
    )
    assert saved.status_code in (200, 302, 303)
    assert ticket(db, number).title == "Rack labels missing"
    assert audit_scoring(1, "Still faded") == number
    assert ticket(db, number).title == "Rack labels missing"  # the team's words stay
    empty = client.post(
        f"/tickets/{number.removeprefix('KZ-')}/pdca",
        data={"csrf_token": csrf_token_from(page.text), "title": "   "},
    )
    assert empty.status_code == 422 and "A ticket needs a title" in empty.text
