"""Ticket pages: who may do what on every route, CSRF on every write, and bad input refused
with a clear 4xx that changes nothing."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from gemba_walk.tickets.models import KaizenTicket, TicketEvent
from tests.conftest import csrf_token_from
from tests.factories import AreaFactory, UserFactory
from tests.photo_tools import camera_jpeg
from tests.test_ticket_workflow import new_ticket

ROLES = ("anonymous", "member", "owner", "leader", "admin")


@pytest.fixture
def world(db):
    people = {
        "member": UserFactory(role="member", name="Mo Member"),
        "owner": UserFactory(role="member", name="Olga Owner"),
        "leader": UserFactory(role="leader", name="Lee Leader"),
        "admin": UserFactory(role="admin", name="Ada Admin"),
    }
    ticket = new_ticket(db, AreaFactory(owner=people["owner"]), people["owner"])
    return {"people": people, "number": ticket.number, "id": ticket.id}


def sign_in(auth, world, role: str) -> None:
    if role != "anonymous":
        assert auth.login(world["people"][role].email).status_code == 302


def state(db, world) -> tuple:
    db.session.rollback()
    ticket = db.session.get(KaizenTicket, world["id"])
    events = db.session.scalar(
        sa.select(sa.func.count(TicketEvent.id)).where(TicketEvent.ticket_id == ticket.id)
    )
    return (ticket.status, ticket.owner_id, ticket.countermeasure, ticket.whys, events)


def post(client, path: str, data: dict, csrf: bool = True, **kwargs):
    if csrf:
        data = {**data, "csrf_token": csrf_token_from(client.get("/tickets/").text)}
    return client.post(path, data=data, **kwargs)


READ_ROUTES = ("/tickets/", "/tickets/export.csv", "/tickets/{n}", "/tickets/{n}/card")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", READ_ROUTES)
def test_everyone_signed_in_reads_tickets_and_nobody_else(client, auth, world, role, route):
    sign_in(auth, world, role)
    response = client.get(route.format(n=world["number"]))
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 200


# (route, form, roles allowed); anything else is 403, or a redirect to sign in when anonymous.
WRITES = {
    "comment": (
        "/tickets/{n}/comments",
        {"body": "Saw it at the line"},
        {"member", "owner", "leader", "admin"},
    ),
    "pdca": ("/tickets/{n}/pdca", {"root_cause": "No torque check"}, {"owner", "leader", "admin"}),
    "start": ("/tickets/{n}/status", {"action": "start"}, {"owner", "leader", "admin"}),
    "reject": (
        "/tickets/{n}/status",
        {"action": "reject", "reason": "Duplicate"},
        {"leader", "admin"},
    ),
    "reassign": ("/tickets/{n}/owner", {"owner_id": "{member}"}, {"leader", "admin"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", sorted(WRITES))
def test_each_write_is_allowed_only_to_its_roles(client, auth, db, world, role, write):
    route, form, allowed = WRITES[write]
    ids = {role: person.id for role, person in world["people"].items()}
    form = {k: v.format(**ids) for k, v in form.items()}
    sign_in(auth, world, role)
    before = state(db, world)
    token = csrf_token_from(client.get("/login" if role == "anonymous" else "/tickets/").text)
    response = client.post(route.format(n=world["number"]), data={**form, "csrf_token": token})
    if role in allowed:
        assert response.status_code == 302, response.text
        assert state(db, world) != before
    else:
        expected = 302 if role == "anonymous" else 403
        assert response.status_code == expected
        if role != "anonymous":
            assert "Not changed." in response.text
        assert state(db, world) == before


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_needs_the_csrf_token(client, auth, db, world, write):
    route, form, _ = WRITES[write]
    sign_in(auth, world, "admin")
    before = state(db, world)
    response = client.post(route.format(n=world["number"]), data=form)
    assert response.status_code == 400
    assert "security token" in response.text
    assert state(db, world) == before


def test_an_after_photo_needs_a_real_image(client, auth, db, world, tmp_path):
    sign_in(auth, world, "owner")
    before = state(db, world)
    page = f"/tickets/{world['number']}/photos"
    fake = (b"%PDF-1.4 not a photo", "after.jpg")
    response = post(
        client, page, {"photo": (io.BytesIO(fake[0]), fake[1])}, content_type="multipart/form-data"
    )
    assert response.status_code == 415
    assert "not an image" in response.text
    assert state(db, world) == before

    photo = camera_jpeg(800, 600, orientation=None)
    response = post(
        client,
        page,
        {"photo": (io.BytesIO(photo), "after.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    shown = client.get(f"/tickets/{world['number']}").text
    assert "After photo 1" in shown


def test_an_after_photo_far_larger_than_a_phone_sends_is_refused_naming_the_limit(
    client, auth, db, world
):
    """A 7000 × 7000 PNG (a few hundred kB) is refused from its header, never decoded."""
    sign_in(auth, world, "owner")
    before = state(db, world)
    buffer = io.BytesIO()
    Image.new("RGB", (7000, 7000), "white").save(buffer, format="PNG", optimize=True)
    response = post(
        client,
        f"/tickets/{world['number']}/photos",
        {"photo": (io.BytesIO(buffer.getvalue()), "after.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "7000 × 7000 pixels" in response.text
    assert "at most 4096 pixels on its long edge and 6 megapixels" in response.text
    assert state(db, world) == before


@pytest.mark.parametrize(
    ("form", "status", "words"),
    [
        ({"action": "teleport"}, 400, "no step called"),
        ({"action": "done"}, 409, "is not possible now"),
        ({"action": "verify"}, 409, "is not possible now"),
        ({"action": "reject", "reason": "  "}, 422, "needs a reason"),
    ],
)
def test_a_step_that_is_not_possible_is_refused(client, auth, db, world, form, status, words):
    sign_in(auth, world, "leader")
    before = state(db, world)
    response = post(client, f"/tickets/{world['number']}/status", form)
    assert response.status_code == status
    assert words in response.text
    assert state(db, world) == before


def test_done_needs_a_countermeasure(client, auth, db, world):
    sign_in(auth, world, "owner")
    post(client, f"/tickets/{world['number']}/status", {"action": "start"})
    before = state(db, world)
    response = post(client, f"/tickets/{world['number']}/status", {"action": "done"})
    assert response.status_code == 422
    assert "Write the countermeasure" in response.text
    assert state(db, world) == before


@pytest.mark.parametrize(
    ("form", "status", "words"),
    [
        ({"due_date": "next tuesday"}, 422, "is not a date"),
        ({"why_1": "", "why_2": "Second without a first"}, 422, "one is empty in between"),
        ({"root_cause": "x" * 5001}, 422, "longer than 5000"),
    ],
)
def test_bad_pdca_input_is_refused_and_kept_on_screen(client, auth, db, world, form, status, words):
    sign_in(auth, world, "owner")
    before = state(db, world)
    response = post(client, f"/tickets/{world['number']}/pdca", form)
    assert response.status_code == status
    assert words in response.text
    assert state(db, world) == before


def test_unknown_tickets_owners_and_filters_are_explained(client, auth, db, world):
    sign_in(auth, world, "admin")
    assert client.get("/tickets/99999").status_code == 404
    assert "There is no ticket KZ-99999" in client.get("/tickets/99999").text
    answer = client.get("/tickets/?status=lost")
    assert answer.status_code == 400 and "Unknown status" in answer.text
    assert client.get("/tickets/?sort=random").status_code == 400
    assert client.get("/tickets/?area=abc").status_code == 400
    before = state(db, world)
    response = post(client, f"/tickets/{world['number']}/owner", {"owner_id": "424242"})
    assert response.status_code == 422 and "Choose a person" in response.text
    assert state(db, world) == before


def test_the_history_shows_who_changed_what(client, auth, db, world):
    sign_in(auth, world, "owner")
    post(client, f"/tickets/{world['number']}/status", {"action": "start"})
    post(
        client,
        f"/tickets/{world['number']}/pdca",
        {"why_1": "Bolt loose", "root_cause": "No check"},
    )
    post(
        client,
        f"/tickets/{world['number']}/comments",
        {"body": "Parts ordered", "kind": "gemba_check"},
    )
    page = client.get(f"/tickets/{world['number']}").text
    assert "Open → <strong>In progress</strong>" in page
    assert "Changed root cause, whys." in page
    assert "Checked at the gemba:</strong>" in page and "Parts ordered" in page
    assert page.count("Olga Owner") >= 3


def test_a_problem_reported_on_the_web_opens_or_joins_a_ticket(client, auth, db, world):
    from gemba_walk.audits.models import Finding

    sign_in(auth, world, "member")
    area_id = db.session.get(KaizenTicket, world["id"]).area_id
    form = {
        "area_id": str(area_id),
        "category": "quality",
        "severity": "high",
        "description": "Burrs on every third bracket",
    }
    first = post(client, "/tickets/new", form)
    assert first.status_code == 302
    opened = client.get(first.headers["Location"]).text
    assert "opened." in opened and "Burrs on every third bracket" in opened
    number = first.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    # Another problem of the same kind is another ticket; the same one, chosen, joins it.
    other = post(client, "/tickets/new", {**form, "description": "Label printer jams"})
    assert other.headers["Location"] != first.headers["Location"]
    assert f"KZ-{int(number):04d}" in client.get("/tickets/new").text  # offered as a choice
    second = post(
        client,
        "/tickets/new",
        {**form, "description": "Burrs again", "same_as": f"KZ-{int(number):04d}"},
    )
    joined = client.get(second.headers["Location"]).text
    assert "2nd occurrence" in joined
    assert second.headers["Location"] == first.headers["Location"]
    other_area = AreaFactory().id
    elsewhere = {**form, "area_id": str(other_area), "same_as": f"KZ-{int(number):04d}"}
    refused = post(client, "/tickets/new", elsewhere)
    assert refused.status_code == 422
    assert "Choose an open ticket of this area, or a new problem." in refused.text

    findings_before = db.session.scalar(sa.select(sa.func.count(Finding.id)))
    bad_photo = post(
        client,
        "/tickets/new",
        {**form, "photo": (io.BytesIO(b"GIF89a not really"), "x.gif")},
        content_type="multipart/form-data",
    )
    assert bad_photo.status_code == 415 and "Only JPEG, PNG and WebP" in bad_photo.text
    empty = post(client, "/tickets/new", {**form, "description": "  "})
    assert empty.status_code == 422 and "Describe the problem." in empty.text
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Finding.id))) == findings_before
