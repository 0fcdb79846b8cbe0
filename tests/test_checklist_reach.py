"""Checklists assigned to areas: an admin says where a checklist applies (every area, chosen
sites, chosen areas); the phone's field pack and the area page offer only what applies; an audit
made offline with a checklist that stopped applying still syncs; a walk plan that names an area
its checklist does not apply to says so when saved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gemba_walk.areas.models import Area, Site
from gemba_walk.audits.models import Audit
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.core.localtime import local_today
from gemba_walk.extensions import db
from gemba_walk.walks import operations
from tests.factories import AreaFactory, SiteFactory, UserFactory, demo_layout
from tests.sync_batches import batch, five_s_audit


@pytest.fixture
def admin(auth, db, app):
    demo_layout(app)
    return auth.login_as("admin")


def checklist(key: str) -> ChecklistTemplate:
    return db.session.scalar(sa.select(ChecklistTemplate).where(ChecklistTemplate.key == key))


def area(code: str) -> Area:
    return db.session.scalar(sa.select(Area).where(Area.code == code))


def offered(pack: dict) -> dict[str, list[str]]:
    """Area code → the keys of the checklists the phone offers there."""
    return {a["code"]: sorted(a["checklists"]) for a in pack["areas"]}


def set_reach(client, auth, key: str, applies_to: str, sites=(), areas=()):
    template = checklist(key)
    return client.post(
        f"/admin/checklists/{template.id}/reach",
        data={
            "csrf_token": auth.csrf_token(f"/admin/checklists/{template.id}/reach"),
            "applies_to": applies_to,
            "site": [str(s) for s in sites],
            "area": [str(a) for a in areas],
        },
    )


def test_a_checklist_chosen_for_one_area_is_offered_only_there(client, auth, admin, db):
    first, second = area("A-01"), area("A-02")
    answer = set_reach(client, auth, "waste-walk", "areas", areas=[first.id])
    assert answer.status_code == 302
    shown = client.get(answer.headers["Location"]).text
    assert "A-01 " in shown and "Where it applies" in shown
    pack = client.get("/api/v1/pack").json
    assert "waste-walk" in offered(pack)["A-01"]
    assert "waste-walk" not in offered(pack)["A-02"]
    assert all("5s-audit" in keys for keys in offered(pack).values())
    # The pack still carries the checklist itself: a walk plan may start it anywhere.
    assert any(t["key"] == "waste-walk" for t in pack["templates"])
    waste = "/start/waste-walk"
    assert waste in client.get(f"/areas/{first.id}").text
    assert waste not in client.get(f"/areas/{second.id}").text
    assert waste not in client.get(f"/a/{second.qr_token}?via=code").text


def test_a_checklist_for_a_site_reaches_its_areas_and_no_other(client, auth, admin, db):
    home = db.session.scalar(sa.select(Site))
    other = SiteFactory(name="Second plant")
    AreaFactory(site=other, code="B-01", name="Far away")
    assert set_reach(client, auth, "5s-audit", "sites", sites=[home.id]).status_code == 302
    AreaFactory(site=home, code="A-99", name="Built after the choice")
    codes = offered(client.get("/api/v1/pack").json)
    assert "5s-audit" not in codes["B-01"]
    assert all("5s-audit" in keys for code, keys in codes.items() if code.startswith("A-"))
    assert set_reach(client, auth, "5s-audit", "all").status_code == 302
    assert "5s-audit" in offered(client.get("/api/v1/pack").json)["B-01"]
    assert checklist("5s-audit").sites == []


def test_the_pack_costs_the_same_queries_however_many_assignments(
    client, auth, admin, db, count_queries
):
    site = db.session.scalar(sa.select(Site))
    for number in range(12):
        AreaFactory(site=site, code=f"C-{number:02d}")

    def cost() -> int:
        client.get("/api/v1/pack")  # walks planned first (a write), then count
        with count_queries() as statements:
            assert client.get("/api/v1/pack").status_code == 200
        return len(statements)

    everywhere = cost()
    all_areas = db.session.scalars(sa.select(Area.id)).all()
    for key in ("waste-walk", "abnormality-report"):
        assert set_reach(client, auth, key, "areas", areas=all_areas).status_code == 302
    assert set_reach(client, auth, "5s-audit", "sites", sites=[site.id]).status_code == 302
    assert cost() == everywhere
    assert all(len(keys) == 3 for keys in offered(client.get("/api/v1/pack").json).values())


def test_an_audit_made_before_the_checklist_stopped_applying_still_syncs(
    client, auth, api, admin, db
):
    pack = client.get("/api/v1/pack").json  # the phone's copy, then it goes offline
    gemba = next(a for a in pack["areas"] if a["code"] == "A-02")
    audit = five_s_audit(pack, gemba, [3])
    assert set_reach(client, auth, "5s-audit", "areas", areas=[area("A-01").id]).status_code == 302
    answer = api.sync(batch(audits=[audit]))
    assert answer.status_code == 200, answer.json
    stored = db.session.scalar(sa.select(Audit).where(Audit.uuid == audit["uuid"]))
    assert stored is not None and stored.area.code == "A-02"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"applies_to": "sites", "site": ["99999"]}, "do not exist"),
        ({"applies_to": "sites", "site": ["<area>"]}, "do not exist"),
        ({"applies_to": "areas", "area": ["99999"]}, "do not exist"),
        ({"applies_to": "areas", "area": [str(10**30)]}, "does not exist"),
        ({"applies_to": "areas", "area": [str(2**63)]}, "does not exist"),
        ({"applies_to": "areas", "area": ["9" * 5000]}, "does not exist"),
        ({"applies_to": "areas", "area": ["0"]}, "does not exist"),
        ({"applies_to": "areas", "area": ["-1"]}, "does not exist"),
        ({"applies_to": "areas", "area": ["1\x00"]}, "cannot be stored"),
        ({"applies_to": "areas", "area": ["two"]}, "does not exist"),
        ({"applies_to": "areas"}, "at least one area"),
        ({"applies_to": "sites"}, "at least one site"),
        ({"applies_to": "everything"}, "Choose where"),
        ({}, "Choose where"),
    ],
)
def test_the_reach_form_refuses_what_it_cannot_save_and_changes_nothing(
    client, auth, admin, db, fields, message
):
    highest_area = db.session.scalar(sa.select(sa.func.max(Area.id)))
    assert db.session.get(Site, highest_area) is None  # an area's id, no site's
    if fields.get("site") == ["<area>"]:
        fields["site"] = [str(highest_area)]
    template = checklist("waste-walk")
    data = {"csrf_token": auth.csrf_token(f"/admin/checklists/{template.id}/reach"), **fields}
    answer = client.post(f"/admin/checklists/{template.id}/reach", data=data)
    assert answer.status_code == 422
    assert message in answer.text
    db.session.expire_all()
    assert checklist("waste-walk").applies_to == "all"
    assert checklist("waste-walk").areas == []


def test_the_reach_form_needs_csrf_and_the_same_choice_twice_is_harmless(client, auth, admin, db):
    template = checklist("waste-walk")
    refused = client.post(
        f"/admin/checklists/{template.id}/reach",
        data={"applies_to": "areas", "area": [str(area("A-01").id)]},
    )
    assert refused.status_code == 400
    for _ in range(2):
        answer = set_reach(client, auth, "waste-walk", "areas", areas=[area("A-01").id] * 2)
        assert answer.status_code == 302
    db.session.expire_all()
    assert [a.code for a in checklist("waste-walk").areas] == ["A-01"]
    assert client.get(f"/admin/checklists/{template.id}/reach").status_code == 200
    assert client.get("/admin/checklists/99999/reach").status_code == 404


def test_a_walk_plan_naming_an_area_outside_its_checklist_says_so(client, auth, admin, db):
    site = db.session.scalar(sa.select(Site))
    set_reach(client, auth, "waste-walk", "areas", areas=[area("A-01").id])
    leader = UserFactory(role="leader", name="Lena Leader")
    layer = operations.create_layer(site, "Team leaders", 1)
    operations.set_layer(site, leader, layer)
    auth.logout()
    auth.login(leader.email)
    token = auth.csrf_token(f"/walks/plans?site={site.id}")
    saved = client.post(
        f"/walks/plans/new?site={site.id}",
        data={
            "csrf_token": token,
            "name": "Waste walk round",
            "template_id": checklist("waste-walk").id,
            "frequency": "daily",
            "layer_id": layer.id,
            "area_ids": [area("A-01").id, area("A-02").id],
            "starts_on": local_today(site.timezone).isoformat(),
        },
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "is not assigned to A-02" in saved.text
    assert "A-01" not in saved.text.split("is not assigned to")[1].split(".")[0]
