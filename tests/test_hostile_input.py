"""What a careless client or an attacker sends is refused
with a 4xx that names the problem — the same on SQLite and PostgreSQL — and never answered 500.

PostgreSQL refuses what SQLite stores (a NUL character in text, an integer past 2^31 − 1), so
this whole file runs on both databases (GEMBA_TEST_DB=postgresql for the second)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from gemba_walk.areas.models import Area, AreaScan, Site
from gemba_walk.audits.models import Audit, Finding
from gemba_walk.auth.models import User
from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.tickets.models import KaizenTicket, TicketEvent
from tests.factories import AreaFactory
from tests.sync_batches import batch, finding, five_s_audit, iso, new_id

NUL = "\x00"


@pytest.fixture
def leader_on_the_floor(app, client, auth, api):
    """The default checklists, an area with one open ticket, an admin signed in (who may do
    everything) and the field pack."""
    ensure_default_templates()
    AreaFactory()
    auth.login_as("admin")
    area = client.get("/api/v1/pack").json["areas"][0]
    assert api.sync(batch(findings=[finding(area)])).status_code == 200
    pack = client.get("/api/v1/pack").json
    return {"pack": pack, "area": pack["areas"][0]}


def _count(db, model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- 4. NUL characters, in every kind of text ------------------------------------------------


def _sync_cases(floor):
    area = floor["area"]
    audit = five_s_audit(floor["pack"], area, [3])
    return {
        "a finding's description": (
            batch(findings=[finding(area, description=f"Oil{NUL} on the floor")]),
            "findings[0].description",
            Finding,
        ),
        "an audit's note": (
            batch(audits=[{**audit, "note": f"Tidy{NUL}"}]),
            "audits[0].note",
            Audit,
        ),
        "an answer's note": (
            batch(audits=[{**audit, "responses": [{**audit["responses"][0], "note": f"ok{NUL}"}]}]),
            "audits[0].responses[0].note",
            Audit,
        ),
        "a note on a ticket": (
            batch(
                ticket_notes=[
                    {
                        "uuid": new_id(),
                        "ticket_number": area["open_tickets"][0]["number"],
                        "kind": "comment",
                        "body": f"Checked{NUL}",
                        "occurred_at": iso_now(),
                    }
                ]
            ),
            "ticket_notes[0].body",
            TicketEvent,
        ),
    }


def iso_now() -> str:
    return iso(datetime.now(UTC))


@pytest.mark.parametrize(
    "what", ["a finding's description", "an audit's note", "an answer's note", "a note on a ticket"]
)
def test_a_phone_sending_a_nul_character_is_told_which_field(db, api, leader_on_the_floor, what):
    payload, field, model = _sync_cases(leader_on_the_floor)[what]
    before = _count(db, model)
    answer = api.sync(payload)
    assert answer.status_code == 422, answer.text
    error = answer.json["error"]
    assert error["code"] == "nul_character"
    assert field in error["message"] and "NUL" in error["message"]
    assert error["details"] == [{"record": field, "message": "contains a NUL character"}]
    assert _count(db, model) == before


def test_a_scan_with_a_nul_character_is_refused(db, api, client, leader_on_the_floor):
    answer = client.post(
        "/api/v1/scans",
        json={
            "uuid": new_id(),
            "area_id": leader_on_the_floor["area"]["id"],
            "method": f"label{NUL}",
            "scanned_at": iso_now(),
        },
        headers={"X-CSRFToken": api.token()},
    )
    assert answer.status_code == 422 and "“method”" in answer.json["error"]["message"]
    assert _count(db, AreaScan) == 0


def _a_ticket(db) -> KaizenTicket:
    db.session.rollback()
    return db.session.scalars(sa.select(KaizenTicket).order_by(KaizenTicket.number)).first()


PAGE_FORMS = {
    # what an admin or leader types, where, into which field, and what must stay unstored
    "a site's name": ("/admin/sites/new", {"name": "Plant{NUL}", "timezone": "UTC"}, "name", Site),
    "an area's name": ("/areas/new", {"name": "Press{NUL}", "code": "P-9"}, "name", Area),
    "a person's name": (
        "/admin/users/new",
        {"name": "Ana{NUL}", "email": "ana@plant.example", "role": "member", "password": "x" * 12},
        "name",
        User,
    ),
    "a person's e-mail at sign-in": (
        "/login",
        {"email": "ana{NUL}@plant.example", "password": "whatever"},
        "email",
        User,
    ),
    "a checklist's name": (
        "/admin/checklists/new?kind=custom",
        {"name": "Forklift{NUL}", "kind": "custom", "item_count": "0", "action": "save"},
        "name",
        ChecklistTemplate,
    ),
    "a problem reported on the web": (
        "/tickets/new",
        {"category": "safety", "severity": "high", "description": "Leak{NUL}"},
        "description",
        KaizenTicket,
    ),
    "a comment on a ticket": ("/tickets/{number}/comments", {"body": "Hi{NUL}"}, "body", None),
    "the 5 Whys of a ticket": ("/tickets/{number}/pdca", {"why_1": "Wear{NUL}"}, "why_1", None),
    "a search on the board": ("/tickets/?q=oil{NUL}", None, "q", None),
}


@pytest.mark.parametrize("what", list(PAGE_FORMS))
def test_a_nul_character_typed_into_a_page_is_refused_naming_the_field(
    db, client, auth, leader_on_the_floor, what
):
    path, form, field, model = PAGE_FORMS[what]
    ticket = _a_ticket(db)
    path = path.replace("{number}", str(ticket.number)).replace("{NUL}", "%00")
    before = _count(db, model) if model else None
    events = _count(db, TicketEvent)
    if form is None:
        answer = client.get(path)
    else:
        data = {name: value.replace("{NUL}", NUL) for name, value in form.items()}
        answer = client.post(path, data={**data, "csrf_token": auth.csrf_token()})
    assert answer.status_code == 422, answer.text[:500]
    assert f"“{field}” contains a NUL character" in answer.text
    if model:
        assert _count(db, model) == before
    assert _count(db, TicketEvent) == events


# --- 5. numbers past the columns, ids that are no ids ------------------------------------------

PG_INTEGER_PAST, SQLITE_INTEGER_PAST = 2**31, 2**63


@pytest.mark.parametrize("too_big", [PG_INTEGER_PAST, SQLITE_INTEGER_PAST])
def test_a_scan_or_sync_of_an_area_past_any_id_is_refused(db, api, auth, client, too_big):
    auth.login_as("leader")
    scan = client.post(
        "/api/v1/scans",
        json={"uuid": new_id(), "area_id": too_big, "method": "label", "scanned_at": iso_now()},
        headers={"X-CSRFToken": api.token()},
    )
    assert scan.status_code == 422, scan.text
    assert "area_id" in str(scan.json["error"]["details"])
    area = {"id": too_big}
    synced = api.sync(batch(findings=[finding(area)]))
    assert synced.status_code == 422, synced.text
    assert synced.json["error"]["details"][0]["record"] == "findings[0].area_id"
    assert _count(db, Finding) == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("score", 2**31),
        ("score", -1),
        ("item_id", 2**63),
        ("value_number", 10**400),  # Python reads it as infinity
    ],
)
def test_an_answer_with_a_number_past_its_range_is_refused(
    db, api, leader_on_the_floor, field, value
):
    audit = five_s_audit(leader_on_the_floor["pack"], leader_on_the_floor["area"], [3])
    audit["responses"][0][field] = value
    answer = api.sync(batch(audits=[audit]))
    assert answer.status_code == 422, answer.text
    assert answer.json["error"]["details"][0]["record"] == f"audits[0].responses[0].{field}"


def test_nan_and_infinity_are_not_json(api, client, leader_on_the_floor):
    audit = five_s_audit(leader_on_the_floor["pack"], leader_on_the_floor["area"], [3])
    body = json.dumps(batch(audits=[audit])).replace('"note": ""', '"note": "", "x": NaN', 1)
    answer = client.post(
        "/api/v1/sync",
        data=body,
        headers={"X-CSRFToken": api.token(), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and answer.json["error"]["code"] == "bad_json"


@pytest.mark.parametrize(
    "batch_id",
    [
        "-" * 36,
        "0" * 36,
        "00000000-0000-0000-0000-000000000000",
        "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
    ],
)
def test_a_batch_id_that_is_no_uuid_is_refused(db, api, leader_on_the_floor, batch_id):
    answer = api.sync({**batch(), "batch_id": batch_id})
    assert answer.status_code == 422, answer.text
    assert answer.json["error"]["details"][0]["record"] == "batch_id"


def test_a_ticket_note_for_a_ticket_number_past_any_id_is_refused(api, leader_on_the_floor):
    note = {
        "uuid": new_id(),
        "ticket_number": f"KZ-{2**63}",
        "kind": "comment",
        "body": "Checked",
        "occurred_at": iso_now(),
    }
    answer = api.sync(batch(ticket_notes=[note]))
    assert answer.status_code == 422, answer.text


def test_a_time_with_no_utc_equivalent_is_refused(api, leader_on_the_floor):
    record = finding(leader_on_the_floor["area"], observed_at="0001-01-01T00:00:00+01:00")
    answer = api.sync(batch(findings=[record]))
    assert answer.status_code == 422, answer.text
    assert "observed_at" in answer.json["error"]["details"][0]["message"]


HUGE = [str(2**31), str(2**63), "9" * 5000, "²", "١٢"]


@pytest.mark.parametrize("number", HUGE)
def test_addresses_and_filters_with_numbers_past_any_id_answer_4xx(
    client, auth, db, number, leader_on_the_floor
):
    paths = [
        f"/tickets/{number}",
        f"/tickets/{number}/card",
        f"/areas/{number}",
        f"/areas/{number}/qr.svg",
        f"/insight/areas/{number}",
        f"/admin/sites/{number}",
        f"/admin/users/{number}",
        f"/admin/checklists/{number}",
        f"/tickets/?site={number}",
        f"/tickets/?area={number}",
        f"/tickets/?owner={number}",
        f"/tickets/?page={number}",
        f"/tickets/?q=KZ-{number}",
        f"/tickets/export.csv?area={number}",
        f"/insight/?site={number}",
        f"/insight/findings.csv?area={number}",
        f"/insight/audits.csv?site={number}",
        f"/insight/findings.csv?days={number}",
        f"/areas/?site={number}",
        f"/areas/labels?area={number}&site={number}",
        f"/tickets/new?area={number}",
    ]
    for path in paths:
        answer = client.get(path)
        assert answer.status_code < 500, (path, answer.status_code)
    ticket = _a_ticket(db)
    owner = client.post(
        f"/tickets/{ticket.number}/owner",
        data={"owner_id": number, "csrf_token": auth.csrf_token()},
    )
    assert owner.status_code == 422


def test_a_method_an_address_does_not_take_says_which_it_does(client, auth):
    auth.login_as("member")
    for path, allowed in (("/api/v1/sync", {"POST"}), ("/api/v1/me", {"GET", "HEAD"})):
        answer = client.delete(path)
        assert answer.status_code == 405
        assert allowed <= {m.strip() for m in answer.headers["Allow"].split(",")}
        assert answer.json["error"]["code"] == "method_not_allowed"
    page = client.put("/tickets/")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


# --- 12. headers -----------------------------------------------------------------------------


def test_https_answers_carry_hsts_and_plain_http_does_not(client):
    secure = client.get("/login", base_url="https://gemba.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_signed_in_pages_are_private_to_the_browser(client, auth, db):
    AreaFactory()
    auth.login_as("leader")
    for path in ("/", "/tickets/", "/areas/", "/insight/", "/api/v1/pack"):
        answer = client.get(path)
        assert answer.status_code == 200
        directives = {d.strip() for d in answer.headers["Cache-Control"].split(",")}
        assert "private" in directives or "no-store" in directives, (path, directives)
    # Public, fingerprinted files keep their long public caching.
    with client.get("/sw.js") as worker:
        assert "private" not in worker.headers.get("Cache-Control", "")
