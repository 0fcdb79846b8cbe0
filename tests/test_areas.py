"""Sites and areas: admins manage them, everyone finds them, archived areas keep their history."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gemba_walk.areas.models import Area, AreaScan, Site
from gemba_walk.audits.models import Audit
from gemba_walk.core.localtime import to_local
from gemba_walk.lean import OPEN_TICKET_STATUSES
from gemba_walk.tickets.models import KaizenTicket
from tests.factories import AreaFactory, SiteFactory, UserFactory, demo_plant


def _post(client, auth, path, **data):
    return client.post(path, data={"csrf_token": auth.csrf_token(), **data})


def test_admin_sets_up_a_site_and_an_area(client, auth, db):
    auth.login_as("admin")
    owner = UserFactory(name="Olga Owner")
    assert (
        _post(client, auth, "/admin/sites/new", name="North Plant", timezone="UTC").status_code
        == 302
    )
    site = db.session.scalar(sa.select(Site).where(Site.name == "North Plant"))
    response = _post(
        client,
        auth,
        "/areas/new",
        site_id=site.id,
        name="Weld cell",
        code="w-07",
        description="Robots R1-R3",
        owner_id=owner.id,
    )
    assert response.status_code == 302
    area = db.session.scalar(sa.select(Area).where(Area.name == "Weld cell"))
    assert area.code == "W-07" and area.owner_id == owner.id and area.active
    page = client.get(response.headers["Location"])
    assert "W-07" in page.text and "Olga Owner" in page.text


def test_short_codes_are_unique_within_a_site_only(client, auth, db):
    auth.login_as("admin")
    existing = AreaFactory(code="A-12", name="Assembly")
    response = _post(
        client, auth, "/areas/new", site_id=existing.site_id, name="Copy", code="a-12", owner_id=0
    )
    assert response.status_code == 422
    assert "The code A-12 is already used by Assembly at this site." in response.text
    other = SiteFactory()
    response = _post(
        client, auth, "/areas/new", site_id=other.id, name="Elsewhere", code="A-12", owner_id=0
    )
    assert response.status_code == 302


def test_malformed_short_code_is_explained(client, auth):
    auth.login_as("admin")
    site = SiteFactory()
    response = _post(
        client, auth, "/areas/new", site_id=site.id, name="X", code="A 12!", owner_id=0
    )
    assert response.status_code == 422
    assert "Use up to 16 letters, digits, dots or dashes" in response.text


def test_member_searches_areas_on_a_phone(client, auth):
    auth.login_as("member")
    AreaFactory(code="P-01", name="Press shop")
    AreaFactory(code="S-01", name="Shipping")
    page = client.get("/areas/?q=press")
    assert page.status_code == 200
    assert "P-01 · Press shop" in page.text and "Shipping" not in page.text
    assert "Add area" not in page.text  # members do not manage areas


def test_archived_area_leaves_lists_but_keeps_history(client, auth, db, runner):
    demo_plant(runner)
    auth.login_as("admin")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-12"))
    audits_before = db.session.scalar(sa.select(sa.func.count()).where(Audit.area_id == area.id))
    assert _post(client, auth, f"/areas/{area.id}/archive").status_code == 302
    assert "A-12 · Assembly line 1" not in client.get("/areas/").text
    assert "A-12 · Assembly line 1" in client.get("/areas/?archived=1").text
    label_sheet = client.get("/areas/labels").text
    assert "Assembly line 1" not in label_sheet
    page = client.get(f"/a/{area.qr_token}")
    assert "This area is archived." in page.text and "Start 5S audit" not in page.text
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Audit.area_id == area.id))
        == audits_before
    )
    assert _post(client, auth, f"/areas/{area.id}/restore").status_code == 302
    assert "A-12 · Assembly line 1" in client.get("/areas/").text


def test_area_write_without_csrf_changes_nothing(client, auth, db):
    auth.login_as("admin")
    area = AreaFactory()
    assert client.post(f"/areas/{area.id}/archive").status_code == 400
    token = area.qr_token
    assert client.post(f"/areas/{area.id}/rotate-token").status_code == 400
    db.session.refresh(area)
    assert area.active and area.qr_token == token


def test_scanning_a_label_opens_the_area_with_what_a_leader_needs(client, auth, db, runner):
    demo_plant(runner)
    auth.login_as("leader")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-10"))
    page = client.get(f"/a/{area.qr_token}")
    assert page.status_code == 200
    latest = db.session.scalar(
        sa.select(Audit)
        .where(Audit.area_id == area.id, Audit.kind == "5s")
        .order_by(Audit.submitted_at.desc())
    )
    assert f"5S score {latest.score_total:.1f} of 5" in page.text
    # The date as the plant reads it (its time zone): near midnight UTC it is another day.
    assert to_local(latest.submitted_at).strftime("%d %b %Y") in page.text
    open_tickets = db.session.scalars(
        sa.select(KaizenTicket).where(
            KaizenTicket.area_id == area.id, KaizenTicket.status.in_(OPEN_TICKET_STATUSES)
        )
    ).all()
    assert open_tickets
    for ticket in open_tickets:
        assert ticket.display_number in page.text
    for action in ("Start 5S audit", "Waste walk", "Report abnormality"):
        assert action in page.text


def test_a_scan_is_recorded_as_proof_of_presence(client, auth, db):
    leader = auth.login_as("leader")
    area = AreaFactory()
    page = client.get(f"/a/{area.qr_token}")
    assert "Scanned at the gemba" in page.text
    client.get(f"/a/{area.qr_token}")  # a reload is the same visit
    scans = db.session.scalars(sa.select(AreaScan)).all()
    assert [(s.area_id, s.user_id, s.method) for s in scans] == [(area.id, leader.id, "label")]
    other = AreaFactory()
    client.get(f"/a/{other.qr_token}?scan=in_app")
    method = db.session.scalar(sa.select(AreaScan.method).where(AreaScan.area_id == other.id))
    assert method == "in_app"


def test_a_typed_code_opens_the_area_and_says_it_is_no_scan(client, auth, db):
    """The Scan page's typed code opens the area page from the server too (before the phone's
    service worker serves its own screen): it says no presence was shown, and records none."""
    auth.login_as("member")
    area = AreaFactory()
    page = client.get(f"/a/{area.qr_token}?via=code")
    assert page.status_code == 200
    assert "Opened by its code, not by a scan" in page.text
    assert "Scanned at the gemba" not in page.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AreaScan)) == 0
    assert "Opened by its code" not in client.get(f"/a/{area.qr_token}").text


def test_opening_an_area_from_the_list_is_not_a_scan(client, auth, db):
    auth.login_as("leader")
    area = AreaFactory()
    page = client.get(f"/areas/{area.id}")
    assert page.status_code == 200 and "Scanned at the gemba" not in page.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AreaScan)) == 0


def test_rotated_label_explains_itself_and_the_new_one_works(client, auth, db):
    auth.login_as("admin")
    owner = UserFactory(name="Otto Owner", email="otto@plant.example")
    area = AreaFactory(code="B-02", name="Boiler room", owner=owner)
    old_token = area.qr_token
    response = _post(client, auth, f"/areas/{area.id}/rotate-token")
    assert response.status_code == 302
    db.session.refresh(area)
    assert area.qr_token != old_token and len(area.qr_token) >= 32
    outdated = client.get(f"/a/{old_token}")
    assert outdated.status_code == 410
    assert "This label is outdated" in outdated.text
    assert "Otto Owner" in outdated.text and "otto@plant.example" in outdated.text
    assert client.get(f"/a/{area.qr_token}").status_code == 200


def test_unknown_label_gets_a_helpful_404(client, auth):
    auth.login_as("member")
    response = client.get("/a/not-a-real-token-at-all-0123456789")
    assert response.status_code == 404
    assert "We don’t know this label" in response.text
    assert 'name="code"' in response.text  # offers the typed code


def test_signed_out_scan_signs_in_then_opens_the_area(client, auth):
    area = AreaFactory()
    response = client.get(f"/a/{area.qr_token}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/a/{area.qr_token}"


def test_typed_short_code_opens_the_area(client, auth):
    auth.login_as("member")
    area = AreaFactory(code="C-33")
    for typed in ("c-33", "C33", " c 33 "):  # any case, with or without the hyphen
        response = client.get(f"/areas/find?code={typed}")
        assert response.status_code == 302, typed
        assert response.headers["Location"] == f"/areas/{area.id}"
    missing = client.get("/areas/find?code=Z-99")
    assert missing.status_code == 303
    follow = client.get(missing.headers["Location"])
    assert "No active area has the code Z-99." in follow.text


ADMIN_ONLY = [
    ("GET", "/areas/new"),
    ("GET", "/areas/{id}/edit"),
    ("POST", "/areas/{id}/archive"),
    ("POST", "/areas/{id}/restore"),
    ("POST", "/areas/{id}/rotate-token"),
    ("GET", "/areas/{id}/qr.svg"),
    ("GET", "/areas/{id}/qr.png"),
    ("GET", "/areas/labels"),
    ("GET", "/admin/sites/"),
    ("GET", "/admin/sites/new"),
]


@pytest.mark.parametrize("method, path", ADMIN_ONLY)
@pytest.mark.parametrize("role", ["leader", "member"])
def test_only_admins_manage_areas_and_print_labels(client, auth, db, role, method, path, app):
    auth.login_as(role)
    area = AreaFactory()
    url = path.format(id=area.id)
    if method == "POST":
        response = client.post(url, data={"csrf_token": auth.csrf_token()})
    else:
        response = client.get(url)
    assert response.status_code == 403
    db.session.refresh(area)
    assert area.active


@pytest.mark.parametrize("method, path", ADMIN_ONLY)
def test_admin_routes_need_sign_in(client, method, path):
    area = AreaFactory()
    response = client.open(path.format(id=area.id), method=method)
    assert response.status_code in (302, 400)  # sign-in redirect, or CSRF refusal before it
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["admin", "leader", "member"])
def test_every_signed_in_role_opens_an_area(client, auth, role):
    auth.login_as(role)
    area = AreaFactory()
    assert client.get(f"/a/{area.qr_token}").status_code == 200
    assert client.get(f"/areas/{area.id}").status_code == 200
    assert client.get("/scan").status_code == 200
