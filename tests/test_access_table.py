"""Who may use which address: every route of ``app.url_map``, every method it takes,
for a visitor who is not signed in, a team member, a leader and an admin, against the table
below. A route added without a line in this table fails the suite, so nobody forgets to decide
who may use it.

What the table says for a role that may not use a route: a visitor is sent to sign in (a page
redirects to /login, the API answers 401); a signed-in person whose role is too low gets 403.
Whatever the role, no answer is a 5xx.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gemba_walk.audits.models import Audit, Photo
from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.walks.models import Layer, PlannedWalk
from gemba_walk.walks.operations import PlanDetails, create_layer, create_plan
from gemba_walk.walks.planning import ensure_planned
from tests.factories import AreaFactory, UserFactory
from tests.photo_tools import camera_jpeg, sha256
from tests.sync_batches import batch, finding, five_s_audit, new_id

ANYONE, MEMBER, LEADER, ADMIN = "anyone", "member", "leader", "admin"
RANK = {ANYONE: 0, MEMBER: 1, LEADER: 2, ADMIN: 3}

# endpoint -> the least role that may use it (for every method the route takes)
ACCESS: dict[str, str] = {
    # open to everyone: signing in, the app's shell and files, health, the API's description
    "auth.login": ANYONE,
    "core.healthz": ANYONE,
    "pwa.service_worker": ANYONE,
    "pwa.manifest": ANYONE,
    "pwa.offline": ANYONE,
    "static": ANYONE,
    "capture.shell": ANYONE,  # precached, carries no data; it asks /api/v1/me
    "capture.start": ANYONE,  # a redirect into the shell
    "api.openapi": ANYONE,
    "auth.logout": ANYONE,
    "auth.switch_person": ANYONE,  # like signing out: it always lands on sign-in
    # the andon from a label: anyone where the area opened it ("not enabled here" otherwise)
    "andon.report": ANYONE,
    "auth.account": MEMBER,
    "auth.change_password": MEMBER,  # posted empty here: refused with the form, nothing changes
    "auth.change_display": MEMBER,  # the same
    "auth.change_language": MEMBER,  # the same
    "auth.sign_out_everywhere": MEMBER,  # signing out twice is harmless; it always lands on sign-in
    # every signed-in person
    "core.home": MEMBER,
    "capture.area_by_label": MEMBER,
    "capture.scan": MEMBER,
    "api.me": MEMBER,
    "api.pack": MEMBER,
    "api.put_photo": MEMBER,
    "api.get_photo": MEMBER,
    "api.scan": MEMBER,
    "api.sync": MEMBER,
    "areas.index": MEMBER,
    "areas.show": MEMBER,
    "areas.find": MEMBER,
    "tickets.board": MEMBER,
    "tickets.export_csv": MEMBER,
    "tickets.show": MEMBER,
    "tickets.show_by_reference": MEMBER,  # /tickets/KZ-0025 redirects to /tickets/25
    "tickets.card": MEMBER,
    "tickets.report": MEMBER,
    "tickets.save_pdca": MEMBER,  # the workflow then decides (owner or leader): 403 for others
    "tickets.change_status": MEMBER,
    "tickets.add_comment": MEMBER,
    "tickets.add_photo": MEMBER,
    "reports.audit_report": MEMBER,
    "reports.audit_signature": MEMBER,
    "reports.area": MEMBER,
    "walks.board": MEMBER,  # the kamishibai board hangs on the wall for everyone
    "walks.show": MEMBER,
    # every signed-in person: their own inbox, choices and devices
    "notify.inbox": MEMBER,
    "notify.count": MEMBER,
    "notify.open_note": MEMBER,  # another person's notification answers 404
    "notify.read_all": MEMBER,
    "notify.preferences": MEMBER,
    "notify.push_key": MEMBER,
    "notify.push_subscribe": MEMBER,
    "notify.push_unsubscribe": MEMBER,
    # the REST reads and ticket updates (a session, or an API token with its scope)
    "api.tickets": MEMBER,
    "api.ticket": MEMBER,
    "api.ticket_history": MEMBER,
    "api.update_ticket": MEMBER,  # the workflow then decides, as on the ticket page
    "api.audits": MEMBER,
    "api.findings": MEMBER,
    "api.areas": MEMBER,
    # everyone's own API tokens (an admin also makes them for service accounts)
    "auth.tokens": MEMBER,
    "auth.revoke_token": MEMBER,  # another person's token answers 404
    # leaders acknowledge an andon pull
    "notify.acknowledge": LEADER,
    # leaders: the site's numbers and exports
    "reports.dashboard": LEADER,
    # leaders: the andon's triage list, its decisions and photos
    "andon.triage": LEADER,
    "andon.accept": LEADER,
    "andon.dismiss": LEADER,
    "andon.photo": LEADER,
    "reports.audits_csv": LEADER,
    "reports.findings_csv": LEADER,
    # leaders: walk plans, audit layers and shifts (leader standard work)
    "walks.plans": LEADER,
    "walks.new_plan": LEADER,
    "walks.edit_plan": LEADER,
    "walks.stop_plan": LEADER,
    "walks.add_layer": LEADER,
    "walks.edit_layer": LEADER,
    "walks.remove_layer": LEADER,
    "walks.remove_shift": LEADER,
    "walks.set_member": LEADER,
    "walks.add_shift": LEADER,
    # leaders: reassigning a ticket (the route is any member's, the workflow refuses with 403)
    "tickets.reassign": LEADER,
    # admins: people, sites, areas and their labels, checklists
    "users.index": ADMIN,
    "users.new": ADMIN,
    "users.edit": ADMIN,
    "sites.index": ADMIN,
    "sites.new": ADMIN,
    "sites.edit": ADMIN,
    "areas.new": ADMIN,
    "andon.set_enabled": ADMIN,
    "areas.edit": ADMIN,
    "areas.archive": ADMIN,
    "areas.restore": ADMIN,
    "areas.rotate_token": ADMIN,
    "areas.labels": ADMIN,
    "areas.qr_code_png": ADMIN,
    "areas.qr_code_svg": ADMIN,
    "checklists.index": ADMIN,
    "checklists.show": ADMIN,
    "checklists.new": ADMIN,
    "checklists.edit": ADMIN,
    "checklists.duplicate": ADMIN,
    "checklists.discard": ADMIN,
    "checklists.publish": ADMIN,
    "checklists.retire": ADMIN,
    "checklists.restore": ADMIN,
    "checklists.reach": ADMIN,
    "notify.admin_status": ADMIN,
    "notify.webhooks_index": ADMIN,
    "notify.webhook_show": ADMIN,
    "notify.webhook_resume": ADMIN,
    "notify.webhook_toggle": ADMIN,
}

# Where a request as a team member may be refused by the record, not the route (the workflow
# answers 403 when a member is not the ticket's owner): allowed by the route, so not counted.
REFUSED_BY_THE_RECORD = {("tickets.save_pdca", MEMBER), ("tickets.add_photo", MEMBER)}


def test_every_route_has_a_line_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "add these routes to ACCESS"
    assert set(ACCESS) - endpoints == set(), "these routes are gone: drop them from ACCESS"


@pytest.fixture
def plant(app, client, auth, api):
    """One of everything a route can name: an area, a ticket, an audit, a photo, a checklist."""
    ensure_default_templates()
    area = AreaFactory()
    auth.login_as("leader")
    pack = client.get("/api/v1/pack").json
    data, photo_id = camera_jpeg(400, 300), new_id()
    assert api.put_photo(photo_id, data, sha256(data)).status_code == 201
    audit = five_s_audit(pack, pack["areas"][0], [3])
    sent = batch([audit], [finding(pack["areas"][0], audit, photos=[photo_id])])
    assert api.sync(sent).status_code == 200
    auth.logout()
    from gemba_walk.extensions import db

    plan = create_plan(
        area.site,
        PlanDetails(
            "Daily 5S",
            db.session.scalar(
                sa.select(ChecklistTemplate.id).where(ChecklistTemplate.key == "5s-audit")
            ),
            "daily",
            [area.id],
            person_ids=[area.owner_id],
        ),
    )
    ensure_planned()
    create_layer(area.site, "Supervisor", 2)

    return {
        "token": area.qr_token,
        "template": "5s-audit",
        "template_id": db.session.scalar(sa.select(ChecklistTemplate.id)),
        "site_id": area.site_id,
        "area_id": area.id,
        "user_id": area.owner_id,
        "number": db.session.scalar(sa.select(KaizenTicket.number)),
        "reference": f"KZ-{db.session.scalar(sa.select(KaizenTicket.number)):04d}",
        "audit_uuid": db.session.scalar(sa.select(Audit.uuid)),
        "photo_uuid": db.session.scalar(sa.select(Photo.uuid)),
        "_screen": "drafts",
        "plan_id": plan.id,
        "layer_id": db.session.scalar(sa.select(Layer.id)) or 0,
        "walk_id": db.session.scalar(sa.select(PlannedWalk.id)),
        "shift_id": 1,
        "delivery_id": 1,
        "token_id": 1,
        "endpoint_id": 1,
        "filename": "img/icon-192.png",
        "report_id": 1,
    }


def _url(rule, plant: dict) -> str:
    values = {}
    for name in rule.arguments:
        if name == "uuid":
            values[name] = plant["photo_uuid" if rule.endpoint.startswith("api.") else "audit_uuid"]
        else:
            values[name] = plant[name]
    path = rule.rule
    for name, value in values.items():
        for converter in ("", "int:", "path:", "string:"):
            path = path.replace(f"<{converter}{name}>", str(value))
    return path


def _outcome(answer, endpoint: str) -> str:
    if endpoint in ("auth.logout", "auth.switch_person") and answer.status_code == 302:
        return "allowed"  # its answer is the sign-in page, for everyone
    if endpoint == "auth.sign_out_everywhere" and answer.headers.get("Location") == "/login":
        return "allowed"  # its answer is the sign-in page, for everyone
    if answer.status_code == 401 or (
        answer.status_code == 302 and "/login" in answer.headers.get("Location", "")
    ):
        return "sign in"
    if answer.status_code == 403:
        return "forbidden"
    return "allowed"


def _expected(least: str, role: str) -> str:
    if RANK[role] >= RANK[least]:
        return "allowed"
    return "sign in" if role == ANYONE else "forbidden"


@pytest.mark.parametrize("role", [ANYONE, MEMBER, LEADER, ADMIN])
def test_each_role_reaches_exactly_what_the_table_says(app, client, auth, plant, role):
    person = UserFactory(role=role) if role != ANYONE else None
    if person:
        auth.login(person.email)
    # The routes that end the session go last, so every other route is tried signed in.
    ending = ("auth.sign_out_everywhere", "auth.switch_person", "auth.logout")
    rules = sorted(
        app.url_map.iter_rules(),
        key=lambda r: (ending.index(r.endpoint) + 1 if r.endpoint in ending else 0, r.rule),
    )
    wrong, server_errors = [], []
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = _url(rule, plant)
            headers = {}
            data = None
            if method != "GET":
                token = auth.csrf_token("/login" if role == ANYONE else "/")
                headers["X-CSRFToken"] = token
                data = {"csrf_token": token}
            answer = client.open(path, method=method, data=data, headers=headers)
            answer.close()
            if rule.endpoint in ending and person:
                auth.login(person.email)  # signed out by that route: back in for the next
            if answer.status_code >= 500:
                server_errors.append(f"{method} {path}: {answer.status_code}")
            got, expected = _outcome(answer, rule.endpoint), _expected(ACCESS[rule.endpoint], role)
            if got != expected and not (
                (rule.endpoint, role) in REFUSED_BY_THE_RECORD and got == "forbidden"
            ):
                wrong.append(f"{method} {path} ({rule.endpoint}): {got}, expected {expected}")
    assert server_errors == []
    assert wrong == []
