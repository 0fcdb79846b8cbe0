"""A ticket's history is data: each event keeps a kind and its values, and every reader reads it
in their own language — on the ticket page and in the API (kind, data and the sentence). Old
history, stored as English sentences, is converted once by a migration; a populated copy of the
demo plant, written the old way, reads in German, Spanish and Japanese after it."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from gemba_walk import PROJECT_ROOT
from gemba_walk.api.openapi import validator_for
from gemba_walk.audits.models import Photo
from gemba_walk.cli.demo import seed_demo
from gemba_walk.core import i18n
from gemba_walk.core.database import write_transaction
from gemba_walk.extensions import db as _db
from gemba_walk.lean import SEVERITIES
from gemba_walk.tickets import history, workflow
from gemba_walk.tickets.models import EVENT_KINDS, KaizenTicket, TicketEvent
from tests.factories import AreaFactory, TicketFactory, UserFactory
from tests.test_migrations_forward import blank_database  # noqa: F401 — a fixture

BEFORE = "e7b3d5f9a1c4"  # the last revision that stored sentences
LANGUAGES = ("en", "de", "es", "ja")


def test_every_kind_is_known_to_the_table_and_no_pattern_reads_history():
    assert set(history.KINDS) == set(EVENT_KINDS)
    app_code = "\n".join(p.read_text() for p in (PROJECT_ROOT / "gemba_walk").rglob("*.py"))
    for gone in ("read_event_body", "took the ticket\\.", "occurrence\\): "):
        assert gone not in app_code


# --- new events: kind and data, read in each language ----------------------------------------


def _worked_ticket(db) -> KaizenTicket:
    """A ticket taken, planned, checked at the gemba, done with an after photo, sent back with a
    new due date and reassigned: the workflow writes every step as kind and data."""
    leader = UserFactory(role="leader", name="Lee Leader")
    admin = UserFactory(role="admin", name="Ada Admin")
    ticket = TicketFactory(area=AreaFactory(), owner=None, due_date=date(2026, 11, 20))
    db.session.commit()
    with write_transaction():
        workflow.transition(ticket, leader, "start")
        workflow.update_pdca(ticket, leader, {"countermeasure": "Guard bolted", "whys": ["Loose"]})
        workflow.comment(ticket, leader, "Bolts hold", kind="gemba_check")
        photo = Photo(
            uuid="8d3c5a5e-3f4b-4d7e-9a55-2f0d5b1c9e01",
            sha256="0" * 64,
            stored_sha256="0" * 64,
            content_type="image/jpeg",
            width=1,
            height=1,
            byte_size=1,
            uploaded_by_id=leader.id,
        )
        db.session.add(photo)
        workflow.record_after_photo(ticket, leader, photo)
        workflow.transition(ticket, leader, "done")
        workflow.transition(ticket, admin, "send_back", reason="Still loose", due_date="2099-01-05")
        workflow.reassign(ticket, admin, admin)
    return ticket


def test_the_workflow_stores_kind_and_data_not_sentences(app, db):
    ticket = _worked_ticket(db)
    stored = [(e.kind, e.data) for e in ticket.events]
    assert stored == [
        ("taken", {"from": "open", "to": "in_progress", "name": "Lee Leader"}),
        (
            "fields_changed",
            {"fields": {"countermeasure": ["", "Guard bolted"], "whys": [[], ["Loose"]]}},
        ),
        ("gemba_check", {"text": "Bolts hold"}),
        ("after_photo", {}),
        ("status_changed", {"from": "in_progress", "to": "done"}),
        (
            "status_changed",
            {
                "from": "done",
                "to": "reopened",
                "reason": "Still loose",
                "due_date": ["2026-11-20", "2099-01-05"],
            },
        ),
        ("owner_set", {"owner": ["Lee Leader", "Ada Admin"]}),
    ]


SAID = {
    "en": [
        "Open → In progress. Lee Leader took the ticket.",
        "Changed countermeasure, whys.",
        "Checked at the gemba: Bolts hold",
        "Added an “after” photo.",
        "Done → Reopened. Still loose New due date 05 Jan 2099.",
        "Owner Lee Leader → Ada Admin.",
    ],
    "de": [
        "Offen → In Arbeit. Lee Leader hat das Ticket übernommen.",
        "Geändert: Maßnahme, Warum-Fragen.",
        "Am Gemba geprüft: Bolts hold",
        "Ein „Nachher“-Foto hinzugefügt.",
        "Erledigt → Wieder geöffnet. Still loose Neues Fälligkeitsdatum 5. Jan. 2099.",
        "Verantwortlich Lee Leader → Ada Admin.",
    ],
    "es": [
        "Lee Leader tomó el ticket.",
        "Comprobado en el gemba: Bolts hold",
        "Still loose Nueva fecha límite: 5 ene 2099.",
        "Responsable Lee Leader → Ada Admin.",
    ],
    "ja": [
        "Lee Leader さんがチケットを引き受けました。",
        "現場(Gemba)で確認: Bolts hold",
        "「改善後」の写真を追加しました。",
        "担当者 Lee Leader → Ada Admin。",
    ],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_new_events_read_in_the_readers_language(app, db, language):
    ticket = _worked_ticket(db)
    with app.test_request_context(), i18n.force_locale(language):
        sentences = [history.sentence(e) for e in ticket.events]
    for expected in SAID[language]:
        assert any(expected in s for s in sentences), (expected, sentences)


@pytest.mark.parametrize("language", ["de", "ja"])
def test_the_ticket_page_shows_the_history_in_the_readers_language(app, db, client, auth, language):
    ticket = _worked_ticket(db)
    auth.login(UserFactory(role="member", language=language).email)
    page = html.unescape(client.get(f"/tickets/{ticket.number}").text)
    shown = re.sub(r"<[^>]+>|\s+", " ", page)
    assert {"de": "Lee Leader hat das Ticket übernommen.", "ja": "引き受けました"}[
        language
    ] in shown
    assert "took the ticket" not in shown and "Still loose" in shown


def test_the_api_gives_kind_data_and_the_sentence_in_the_requests_language(app, db, client, auth):
    ticket = _worked_ticket(db)
    auth.login(UserFactory(role="member", language="de").email)
    answer = client.get(f"/api/v1/tickets/{ticket.number}/history")
    assert answer.status_code == 200, answer.json
    validator_for("TicketHistory").validate(answer.json)
    assert answer.json["number"] == ticket.display_number
    first = answer.json["items"][0]
    assert first["kind"] == "taken"
    assert first["data"] == {"from": "open", "to": "in_progress", "name": "Lee Leader"}
    assert first["sentence"] == SAID["de"][0]
    assert first["actor_name"] == "Lee Leader"
    assert [item["kind"] for item in answer.json["items"]][-1] == "owner_set"
    assert client.get("/api/v1/tickets/999999/history").status_code == 404


# --- old history: the demo plant written the old way, then migrated ----------------------------


def _ordinal(number: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{'th' if 10 <= number % 100 <= 20 else suffix}"


_LABEL = {term.key: term.label for term in SEVERITIES}


def _old_severity_sentence(data: dict) -> str:
    """tickets/rules.py's _raise_severity as it wrote the sentence."""
    was, now = data["severity"]
    words = [f"severity raised from {_LABEL[was]} to {_LABEL[now]}"]
    if "due_date" in data:
        old, due = (date.fromisoformat(d) if d else None for d in data["due_date"])
        was_words = f" (was {old:%d %b %Y})" if old else ""
        words.append(f"due date brought forward to {due:%d %b %Y}{was_words}")
    return "A more serious occurrence: " + "; ".join(words) + "."


def _old_verified_sentence(data: dict) -> str:
    """tickets/workflow.py's transition("verify") as it wrote the sentence."""
    if data.get("how") == "scan":
        scanned = datetime.fromisoformat(data["scanned_at"])
        body = f"Verified at the gemba (label scanned {scanned:%d %b %H:%M} UTC)."
    else:
        body = "Verified without a label scan."
    if data.get("self_verified"):
        body += " Self-verified by the owner (the site lets any leader verify)."
    return body + (f" {data['result']}" if data.get("result") else "")


def old_row(event: TicketEvent) -> dict:
    """The event as the code before the migration stored it: its coarse kind, the statuses,
    ``changes`` and the English sentence, word for word as that code wrote them."""
    data = event.data
    row = {"from_status": data.get("from"), "to_status": data.get("to"), "changes": None}
    kind, body = event.kind, ""
    if kind == "opened":
        kind, body, row["to_status"] = "created", data["text"], "open"
    elif kind == "status_changed":
        kind, body = "status", data.get("reason", "")
        row["changes"] = {"due_date": data["due_date"]} if "due_date" in data else None
    elif kind == "taken":
        kind, body = "status", f"{data['name']} took the ticket."
    elif kind == "verified":
        kind, body = "status", _old_verified_sentence(data)
    elif kind == "back_to_team":
        kind, body = "status", "Seen again before verification — back to the team."
    elif kind == "recurred":
        body = "Recurred — the countermeasure did not hold: " + data["text"]
    elif kind == "seen_again":
        kind = "occurrence"
        body = f"Seen again ({_ordinal(data['occurrence'])} occurrence): {data['text']}"
    elif kind == "seen_before_verification":
        captured = datetime.fromisoformat(data["captured"])
        kind = "occurrence"
        body = f"Seen before the verification (captured {captured:%d %b %H:%M} UTC): {data['text']}"
    elif kind == "severity_raised":
        kind, body = "fields", _old_severity_sentence(data)
        row["changes"] = {name: data[name] for name in ("severity", "due_date") if name in data}
    elif kind == "fields_changed":
        kind, row["changes"] = "fields", data["fields"]
    elif kind == "owner_set":
        kind, row["changes"] = "reassigned", {"owner": data["owner"]}
    elif kind == "andon_report":
        kind = "comment"
        row["changes"] = {"andon_report": data["report"], "reporter": data.get("reporter")}
    elif kind == "after_photo":
        kind, body = "photo", "Added an “after” photo."
    elif kind in ("comment", "gemba_check"):
        body = data["text"]
    return {**row, "kind": kind, "body": body}


def _every_kind_on_one_ticket(ticket: KaizenTicket, leader_id: int) -> None:
    """What the demo's own seeding never writes, written by today's code on a demo ticket."""
    at = datetime(2026, 1, 3, 7, 5, 9)
    moved = {"from": "verified", "to": "reopened"}
    for kind, data in (
        ("taken", {"from": "open", "to": "in_progress", "name": "Lee Leader"}),
        ("gemba_check", {"text": "Guard checked: it holds"}),
        ("comment", {"text": "Spare bolts ordered"}),
        ("fields_changed", {"fields": {"root_cause": ["", "No torque check"]}}),
        ("owner_set", {"owner": ["Lee Leader", None]}),
        ("after_photo", {}),
        ("back_to_team", {"from": "done", "to": "in_progress"}),
        ("verified", {"from": "done", "to": "verified", "how": "no_scan", "result": "Holds"}),
        (
            "verified",
            {"from": "done", "to": "verified", "how": "scan"}
            | {"scanned_at": "2025-12-30T23:40:00", "self_verified": True},
        ),
        ("seen_before_verification", {"captured": "2025-12-31T22:15:00", "text": "Oil again"}),
        ("recurred", {**moved, "text": "Oil under the press"}),
        ("status_changed", {"from": "reopened", "to": "rejected", "reason": "A duplicate"}),
        ("andon_report", {"report": 7, "reporter": "Ana"}),
        ("andon_report", {"report": 8}),
        ("severity_raised", {"severity": ["low", "high"]}),
    ):
        history.record(ticket, kind, leader_id, created_at=at, occurred_at=None, **data)
        at += timedelta(minutes=1)


def _copy_as_it_was(source, target, events: list[dict]) -> None:
    """Every row of the source (today's schema) into the target (the schema before the
    migration); the history's events as the old code wrote them."""
    old = sa.MetaData()
    old.reflect(target)
    with source.connect() as reading, target.begin() as writing:
        if target.dialect.name == "sqlite":
            writing.exec_driver_sql("PRAGMA foreign_keys=OFF")
        else:
            writing.exec_driver_sql("SET session_replication_role = replica")
        for table in old.sorted_tables:
            if table.name in ("alembic_version", "ticket_events"):
                continue
            today = sa.Table(table.name, sa.MetaData(), autoload_with=reading)
            query = sa.select(*(today.c[c.name] for c in table.columns))
            rows = [dict(r._mapping) for r in reading.execute(query)]
            if rows:
                writing.execute(table.insert(), rows)
        writing.execute(old.tables["ticket_events"].insert(), events)
        last = max(event["id"] for event in events)
        for n, (body, kind) in enumerate(
            (("Seen twice by the night shift", "occurrence"), ("Photo kept", "photo")), start=1
        ):
            writing.execute(
                old.tables["ticket_events"]
                .insert()
                .values(
                    id=last + n,
                    ticket_id=events[0]["ticket_id"],
                    kind=kind,
                    body=body,
                    created_at=datetime(2026, 1, 4),
                )
            )


def _sentences(app) -> dict[int, dict[str, tuple[str, str]]]:
    """Every event's (kind, sentence) in each language, by id, as the app reads them."""
    with app.app_context(), app.test_request_context():
        events = _db.session.scalars(sa.select(TicketEvent).order_by(TicketEvent.id)).all()
        said = {}
        for language in LANGUAGES:
            with i18n.force_locale(language):
                for event in events:
                    said.setdefault(event.id, {})[language] = (event.kind, history.sentence(event))
        _db.session.remove()
        return said


def test_old_history_of_the_demo_plant_reads_in_every_language_after_the_migration(
    app,
    db,
    blank_database,  # noqa: F811 — the fixture imported above
):
    seed_demo(app.instance_path, weeks=4)
    users = {u.role: u for u in db.session.scalars(sa.select(workflow.User))}
    first = db.session.scalars(sa.select(KaizenTicket).order_by(KaizenTicket.id)).first()
    _every_kind_on_one_ticket(first, users["leader"].id)
    db.session.commit()
    written_today = _sentences(app)
    as_it_was = [
        {
            "id": e.id,
            "uuid": e.uuid,
            "ticket_id": e.ticket_id,
            "actor_id": e.actor_id,
            "occurred_at": e.occurred_at,
            "created_at": e.created_at,
            **old_row(e),
        }
        for e in db.session.scalars(sa.select(TicketEvent).order_by(TicketEvent.id))
    ]
    source = db.engine

    with blank_database.app_context():
        upgrade(revision=BEFORE)
        _copy_as_it_was(source, _db.engine, as_it_was)
        upgrade()
        _db.session.remove()
    migrated = _sentences(blank_database)

    assert len(migrated) == len(written_today) + 2 > 100
    assert {said["en"][0] for said in migrated.values()} == set(EVENT_KINDS)  # every kind
    for event_id, today in written_today.items():
        assert migrated[event_id] == today, event_id
    notes = [said for said in migrated.values() if said["en"][0] == "note"]
    assert [said["ja"][1] for said in notes] == ["Seen twice by the night shift", "Photo kept"]
    read = {language: [said[language][1] for said in migrated.values()] for language in LANGUAGES}
    for language, expected in {
        "de": [
            "Erledigt → Wieder geöffnet.",
            "Verantwortlich Lee Leader → niemand.",
            "Über den Andon gemeldet",
            "Wieder geöffnet → Abgelehnt. A duplicate",
        ],
        "es": [
            "Lee Leader tomó el ticket.",
            "Visto de nuevo antes de la verificación: vuelve al equipo.",
            "Se repitió: la contramedida no funcionó: Oil under the press",
        ],
        "ja": [
            "確認前に再び発見 — チームに戻します。",
            "再発 — 対策が効いていません: Oil under the press",
            "指摘から起票されました。",
        ],
    }.items():
        for sentence in expected:
            assert any(sentence in said for said in read[language]), (language, sentence)
        assert not any("took the ticket" in said for said in read[language])
