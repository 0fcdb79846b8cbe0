"""A site lets "the owner's own leader" verify — a leader of the audit layer above the
owner's. Where that cannot be known (no owner, the owner in no layer or in the top layer, nobody
who may verify in the layer above) another leader verifies, and the ticket page says which case
it is and why a Verify button is missing."""

from __future__ import annotations

import re

import pytest

from gemba_walk.areas.operations import set_verification_mode
from gemba_walk.core.database import write_transaction
from gemba_walk.tickets import workflow
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.walks import operations
from tests.conftest import csrf_token_from
from tests.factories import AreaFactory, SiteFactory, UserFactory
from tests.test_ticket_pilot import carry_out, post, ticket_of
from tests.test_ticket_workflow import new_ticket


@pytest.fixture
def plant(db):
    """Three layers (team leader, supervisor, manager); the area's owner is a team leader."""
    site = SiteFactory(name="Werk Nord")
    set_verification_mode(site, "leader_above")
    layers = {
        "team": operations.create_layer(site, "Team leader", 1),
        "supervisor": operations.create_layer(site, "Supervisor", 2),
        "manager": operations.create_layer(site, "Plant manager", 3),
    }
    people = {
        "tom": UserFactory(role="leader", name="Tom Teamleader"),
        "sam": UserFactory(role="leader", name="Sam Supervisor"),
        "sue": UserFactory(role="leader", name="Sue Supervisor"),
        "max": UserFactory(role="leader", name="Max Manager"),
        "olga": UserFactory(role="leader", name="Olga Outside"),
        "ada": UserFactory(role="admin", name="Ada Admin"),
        "mo": UserFactory(role="member", name="Mo Member"),
    }
    for name, layer in (("tom", "team"), ("sam", "supervisor"), ("sue", "supervisor")):
        operations.set_layer(site, people[name], layers[layer])
    operations.set_layer(site, people["max"], layers["manager"])
    area = AreaFactory(site=site, owner=people["tom"])
    ticket = new_ticket(db, area, people["tom"])
    return {
        "site": site,
        "layers": layers,
        "people": people,
        "area": area,
        "id": ticket.id,
        "number": ticket.number,
    }


def allowed(db, plant) -> set[str]:
    ticket = db.session.get(KaizenTicket, plant["id"])
    return {name for name, person in plant["people"].items() if workflow.may_verify(person, ticket)}


def page_for(client, auth, plant, name: str) -> str:
    auth.login(plant["people"][name].email)
    page = client.get(f"/tickets/{plant['number']}").text
    auth.logout()
    return page


def test_a_leader_of_the_layer_above_verifies_and_nobody_else_but_an_admin(
    client, auth, db, plant, tmp_path
):
    assert allowed(db, plant) == {"sam", "sue", "ada"}
    carry_out(db, plant, tmp_path, plant["people"]["tom"])
    for name in ("max", "olga"):  # two layers up, or in no layer: no button, and why
        page = page_for(client, auth, plant, name)
        assert 'value="verify"' not in page
        assert "You are not in the layer above the owner" in page
        assert "Tom Teamleader is in Team leader; the layer above is Supervisor" in page
        assert "Sam Supervisor, Sue Supervisor" in page
    owner = page_for(client, auth, plant, "tom")
    assert 'value="verify"' not in owner and "You own this ticket" in owner
    assert 'value="verify"' in page_for(client, auth, plant, "sue")

    auth.login(plant["people"]["max"].email)
    refused = post(client, f"/tickets/{plant['number']}/status", {"action": "verify"})
    assert refused.status_code in (403, 409, 422)
    assert ticket_of(db, plant).status == "done"
    auth.logout()
    auth.login(plant["people"]["sam"].email)
    verified = post(client, f"/tickets/{plant['number']}/status", {"action": "verify"})
    assert verified.status_code == 302
    ticket = ticket_of(db, plant)
    assert (ticket.status, ticket.verified_by_id, ticket.self_verified) == (
        "verified",
        plant["people"]["sam"].id,
        False,
    )


def test_an_owner_in_no_layer_is_verified_by_any_other_leader(client, auth, db, plant):
    with write_transaction():
        operations.set_layer(plant["site"], plant["people"]["tom"], None)
    assert allowed(db, plant) == {"sam", "sue", "max", "olga", "ada"}
    page = page_for(client, auth, plant, "mo")
    assert "Tom Teamleader is in no audit layer at Werk Nord, so any leader or admin" in page
    assert "You are a team member, so you cannot verify." in page


def test_an_owner_in_the_top_layer_is_verified_by_any_other_leader(client, auth, db, plant):
    with write_transaction():
        ticket = db.session.get(KaizenTicket, plant["id"])
        ticket.owner_id = plant["people"]["max"].id
    assert allowed(db, plant) == {"tom", "sam", "sue", "olga", "ada"}
    page = page_for(client, auth, plant, "olga")
    assert "Max Manager is in the top layer (Plant manager), with no layer above" in page


def test_a_layer_above_with_nobody_who_may_verify_falls_back_to_another_leader(
    client, auth, db, plant
):
    site = plant["site"]
    with write_transaction():
        operations.set_layer(site, plant["people"]["sam"], None)
        operations.set_layer(site, plant["people"]["sue"], None)
        operations.set_layer(site, plant["people"]["mo"], plant["layers"]["supervisor"])
    assert allowed(db, plant) == {"sam", "sue", "max", "olga", "ada"}
    page = page_for(client, auth, plant, "max")
    assert "Nobody who may verify is in the layer above Tom Teamleader" in page
    assert "(Supervisor)" in page


def test_a_ticket_nobody_owns_is_verified_by_any_leader(client, auth, db, plant):
    with write_transaction():
        db.session.get(KaizenTicket, plant["id"]).owner_id = None
    assert allowed(db, plant) == {"tom", "sam", "sue", "max", "olga", "ada"}
    assert "This ticket has no owner, so any leader" in page_for(client, auth, plant, "tom")


def test_the_layer_above_skips_a_gap_in_ranks_and_the_site_form_offers_the_mode(
    client, auth, db, plant
):
    with write_transaction():
        plant["layers"]["supervisor"].rank = 5  # ranks 1, 3, 5: above 1 is 3
    assert allowed(db, plant) == {"max", "ada"}
    auth.login(plant["people"]["ada"].email)
    form = client.get(f"/admin/sites/{plant['site'].id}").text
    assert "checked" in re.search(r'<input[^>]*value="leader_above"[^>]*>', form).group(0)
    assert "The owner&#39;s own leader" in form
    saved = client.post(
        f"/admin/sites/{plant['site'].id}",
        data={
            "csrf_token": csrf_token_from(form),
            "name": "Werk Nord",
            "timezone": "Europe/Berlin",
            "verification_mode": "other_leader",
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert allowed(db, plant) == {"sam", "sue", "max", "olga", "ada"}


def test_a_done_ticket_is_announced_to_the_leaders_above_the_owner(db, plant, tmp_path):
    from gemba_walk.notify import jobs
    from tests import notify_tools

    carry_out(db, plant, tmp_path, plant["people"]["tom"])
    jobs.run_pending()
    names = {person.id: name for name, person in plant["people"].items()}
    told = {names[user_id] for user_id, text in notify_tools.inbox(db) if "verification" in text}
    assert told == {"sam", "sue"}
