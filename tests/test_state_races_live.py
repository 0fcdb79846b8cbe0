"""Two people change one thing at the same instant.

Every route that changes state (POST, PUT, PATCH, DELETE in the app's url_map) either has a pair
scenario here — the same step fired twice at one instant (``threading.Barrier(2)``) against the
live gunicorn server, on SQLite and PostgreSQL — or sits in ``NOT_RACED`` with the reason. A new
route in neither fails ``test_every_state_changing_route_is_raced_or_says_why_not``.

What a pair must leave: exactly one winner where the step can be taken once (one 2xx, the other
409 with a sentence), one history event per step taken, a state the history explains, and never a
500. PostgreSQL shows what SQLite's single writer hides; ``ROUNDS`` repeats each pair because a
race does not show every time.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gemba_walk.andon.models import AndonReport
from gemba_walk.audits.models import Finding
from gemba_walk.core.ids import utcnow
from gemba_walk.models import (
    AndonPull,
    KaizenTicket,
    Layer,
    LayerMember,
    PushSubscription,
    Shift,
    TicketEvent,
    WalkPlan,
    WebhookEndpoint,
)
from gemba_walk.walks import operations as walks
from tests.factories import (
    AreaFactory,
    SiteFactory,
    TicketFactory,
    UserFactory,
    default_five_s_version,
)
from tests.live_tools import LiveUser

ROUNDS = 3
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}

# Routes with no pair scenario, and why none is needed or possible.
NOT_RACED = {
    "auth.login": "signs in one browser; no shared record changes (throttling has its own tests)",
    "auth.logout": "ends one browser's own session",
    "auth.switch_person": "changes one browser's own session",
    "auth.change_display": "a person's own setting: the last choice is the setting",
    "auth.change_language": "a person's own setting: the last choice is the setting",
    "auth.change_password": "a person's own password: the last one set is the password",
    "auth.sign_out_everywhere": "idempotent: signed out everywhere either way",
    "auth.tokens": "each call makes a new token of its own; nothing shared is read first",
    "auth.revoke_token": "idempotent: a revoked token stays revoked",
    "api.put_photo": "idempotent by UUID: raced 20 at once in tests/test_races_live.py",
    "api.sync": "idempotent by UUID, field data append-only: replay and race tests in "
    "tests/test_sync*.py",
    "api.scan": "appends a scan record; two scans are two scans",
    "andon.report": "a person without an account adds a report; each is a new record (limits: "
    "per area and per address, andon/limits.py)",
    "andon.set_enabled": "sets the andon to the value sent (on or off), not a toggle",
    "tickets.report": "a new finding each time; joining an open ticket locks the area "
    "(tickets/rules.py)",
    "tickets.add_photo": "appends an after photo under the ticket lock of the other ticket steps "
    "(same _change); a multipart upload pair adds nothing the comment pair does not show",
    "notify.preferences": "a person's own settings: the last saved are the settings",
    "notify.push_unsubscribe": "deletes one's own subscription: idempotent",
    "notify.read_all": "marks one's own notes read: idempotent",
    "notify.webhooks_index": "registers a new endpoint each time; nothing shared is read first",
    "checklists.new": "an admin makes a new draft; nothing shared is read first",
    "checklists.edit": "edits a draft under the template's row lock (checklists/builder.py)",
    "checklists.duplicate": "makes a new draft from a published version",
    "checklists.publish": "publishes under the template's row lock (checklists/builder.py)",
    "checklists.discard": "discards a draft under the template's row lock",
    "checklists.reach": "sets where a checklist applies to the areas sent: the last save wins",
    "checklists.retire": "sets retired: idempotent",
    "checklists.restore": "sets not retired: idempotent",
    "sites.new": "an admin adds a site; nothing shared is read first",
    "sites.edit": "an admin's master data: the last save wins, no history or workflow",
    "users.new": "an admin adds a person (the e-mail is unique: the second is refused)",
    "users.edit": "an admin's master data: the last save wins, no history or workflow",
    "areas.new": "an admin adds an area; nothing shared is read first",
    "areas.edit": "an admin's master data: the last save wins, no history or workflow",
    "areas.archive": "sets archived: idempotent",
    "areas.restore": "sets active: idempotent",
    "areas.rotate_token": "each rotation makes a new label token; the last one is the label",
}


# --- firing a pair ----------------------------------------------------------------------------


def at_once(*calls: Callable[[], requests.Response]) -> list[requests.Response]:
    """Run the calls in threads released together by a barrier; their answers in call order."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def statuses(answers: list[requests.Response]) -> list[int]:
    return sorted(answer.status_code for answer in answers)


def winner_and_loser(answers, ok=302, loser_status=(409,), loser_words=None):
    """One answer took the step, the other was told why not (a sentence, never a 500)."""
    codes = [a.status_code for a in answers]
    assert sorted(codes) in ([ok, s] for s in loser_status) or sorted(codes) in (
        [s, ok] for s in loser_status
    ), codes
    loser = next(a for a in answers if a.status_code != ok)
    if loser_words:
        assert loser_words in loser.text, loser.text[:2000]
    return loser


class Person(LiveUser):
    """A signed-in person sending the page forms and the API, CSRF from /api/v1/me."""

    def form(self, path: str, **fields) -> requests.Response:
        return self.http.post(
            f"{self.base}{path}",
            data={**fields, "csrf_token": self.token},
            allow_redirects=False,
            timeout=60,
        )

    def patch(self, path: str, body: dict) -> requests.Response:
        return self.http.patch(
            f"{self.base}{path}", json=body, headers={"X-CSRFToken": self.token}, timeout=60
        )

    def post_json(self, path: str, body: dict) -> requests.Response:
        return self.http.post(
            f"{self.base}{path}", json=body, headers={"X-CSRFToken": self.token}, timeout=60
        )


def people(db, server, role="leader", count=2) -> list[Person]:
    emails = [UserFactory(role=role).email for _ in range(count)]
    db.session.commit()
    return [Person(server, email) for email in emails]


def fresh(db, model, row_id):
    db.session.rollback()  # no snapshot from before the requests
    return db.session.get(model, row_id)


def events(db, ticket_id: int, kind: str) -> list[TicketEvent]:
    """The ticket's events of one kind ("moves": every event that moved its status)."""
    db.session.rollback()
    stored = db.session.scalars(
        sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    )
    return [e for e in stored if (e.to_status if kind == "moves" else e.kind == kind)]


# --- tickets ------------------------------------------------------------------------------------


def ticket_steps_from_the_page(db, server):
    """start/start and verify/verify: one wins, one is told; reject/start: the ticket ends
    rejected with its reason, one status event per step taken."""
    first, second = people(db, server)
    for _round in range(ROUNDS):
        ticket = TicketFactory(status="open")
        path = f"/tickets/{ticket.number}/status"
        answers = at_once(
            lambda path=path: first.form(path, action="start"),
            lambda path=path: second.form(path, action="start"),
        )
        winner_and_loser(answers, loser_words="is not possible now")
        assert len(events(db, ticket.id, "moves")) == 1
        assert fresh(db, KaizenTicket, ticket.id).status == "in_progress"

        done = TicketFactory(
            status="done",
            countermeasure="Guard fitted",
            standardize="Guard check added to the 5S checklist",
            done_at=utcnow(),
        )
        path = f"/tickets/{done.number}/status"
        answers = at_once(
            lambda path=path: first.form(path, action="verify"),
            lambda path=path: second.form(path, action="verify"),
        )
        winner_and_loser(answers, loser_words="is not possible now")
        [verified] = events(db, done.id, "verified")
        stored = fresh(db, KaizenTicket, done.id)
        assert (stored.status, stored.verified_by_id) == ("verified", verified.actor_id)

        contested = TicketFactory(status="open")
        path = f"/tickets/{contested.number}/status"
        answers = at_once(
            lambda path=path: first.form(path, action="reject", reason="Not a problem"),
            lambda path=path: second.form(path, action="start"),
        )
        assert 500 not in statuses(answers)
        taken = [a for a in answers if a.status_code == 302]
        stored = fresh(db, KaizenTicket, contested.id)
        # Start then reject, or reject and the start refused: rejected with its reason either way.
        assert (stored.status, stored.reject_reason) == ("rejected", "Not a problem")
        steps = events(db, contested.id, "moves")
        assert len(steps) == len(taken)
        assert [e.to_status for e in steps][-1] == "rejected"
        assert all(b.from_status == a.to_status for a, b in zip(steps, steps[1:], strict=False))


def ticket_steps_from_the_api(db, server):
    """Two systems PATCH the same step at once: 200 and 409, one event."""
    first, second = people(db, server)
    for _round in range(ROUNDS):
        ticket = TicketFactory(status="open")
        path = f"/api/v1/tickets/{ticket.number}"
        answers = at_once(
            lambda path=path: first.patch(path, {"action": "start", "comment": "On it"}),
            lambda path=path: second.patch(path, {"action": "start", "comment": "Me too"}),
        )
        loser = winner_and_loser(answers, ok=200)
        assert loser.json()["error"]["code"] == "illegal_transition"
        assert len(events(db, ticket.id, "moves")) == 1
        assert len(events(db, ticket.id, "comment")) == 1, "all or nothing: the loser's too"


def chained(changes_of: list[dict], key: str) -> bool:
    """Each change starts from what the one before left: the history explains the state."""
    return all(b[key][0] == a[key][1] for a, b in zip(changes_of, changes_of[1:], strict=False))


def ticket_reassigned_twice(db, server):
    first, second = people(db, server)
    ana, ben = UserFactory(name="Ana"), UserFactory(name="Ben")
    db.session.commit()
    for _round in range(ROUNDS):
        ticket = TicketFactory(status="open")
        path = f"/tickets/{ticket.number}/owner"
        owners = str(ana.id), str(ben.id)
        answers = at_once(
            lambda path=path, owner=owners[0]: first.form(path, owner_id=owner),
            lambda path=path, owner=owners[1]: second.form(path, owner_id=owner),
        )
        assert statuses(answers) == [302, 302]
        history = [e.data for e in events(db, ticket.id, "owner_set")]
        assert len(history) == 2 and chained(history, "owner"), history
        owner = fresh(db, KaizenTicket, ticket.id).owner
        assert owner.name == history[-1]["owner"][1]


def ticket_pdca_saved_twice(db, server):
    first, second = people(db, server)
    for _round in range(ROUNDS):
        ticket = TicketFactory(status="in_progress")
        path = f"/tickets/{ticket.number}/pdca"
        answers = at_once(
            lambda path=path: first.form(path, root_cause="Worn seal"),
            lambda path=path: second.form(path, root_cause="Loose clamp"),
        )
        assert statuses(answers) == [302, 302]
        history = [e.data["fields"] for e in events(db, ticket.id, "fields_changed")]
        assert 1 <= len(history) <= 2 and chained(history, "root_cause"), history
        assert fresh(db, KaizenTicket, ticket.id).root_cause == history[-1]["root_cause"][1]


def ticket_commented_twice(db, server):
    """Comments are appended: both kept, in the order they were stored."""
    first, second = people(db, server, role="member")
    ticket = TicketFactory(status="open")
    path = f"/tickets/{ticket.number}/comments"
    answers = at_once(
        lambda: first.form(path, body="Still leaking"), lambda: second.form(path, body="Seen it")
    )
    assert statuses(answers) == [302, 302]
    assert sorted(e.data["text"] for e in events(db, ticket.id, "comment")) == [
        "Seen it",
        "Still leaking",
    ]


def andon_pulled_acknowledged_twice(db, server):
    first, second = people(db, server)
    ticket = TicketFactory(status="open", severity="critical")
    db.session.add(AndonPull(ticket_id=ticket.id))
    db.session.commit()
    path = f"/tickets/{ticket.number}/andon/acknowledge"
    answers = at_once(lambda: first.form(path), lambda: second.form(path))
    assert statuses(answers) == [302, 302]
    db.session.rollback()
    pull = db.session.scalar(sa.select(AndonPull).where(AndonPull.ticket_id == ticket.id))
    assert pull.acknowledged_by_id is not None and pull.acknowledged_at is not None


# --- andon reports ------------------------------------------------------------------------------


def _report() -> AndonReport:
    area = AreaFactory(andon_enabled=True)
    report = AndonReport(
        area_id=area.id, category="quality", description="Burr on every part", status="new"
    )
    from gemba_walk.extensions import db

    db.session.add(report)
    db.session.commit()
    return report


def andon_accepted_twice(db, server):
    """Two leaders accept one report at once: one finding, one ticket, and a 409 for the other."""
    first, second = people(db, server)
    for _round in range(ROUNDS):
        report = _report()
        path = f"/andon/reports/{report.id}/accept"
        answers = at_once(
            lambda path=path: first.form(path, severity="medium"),
            lambda path=path: second.form(path, severity="high"),
        )
        winner_and_loser(answers, loser_words="already decided")
        stored = fresh(db, AndonReport, report.id)
        findings = db.session.scalars(sa.select(Finding).where(Finding.area_id == stored.area_id))
        tickets = db.session.scalars(
            sa.select(KaizenTicket).where(KaizenTicket.area_id == stored.area_id)
        )
        assert (stored.status, len(findings.all()), len(tickets.all())) == ("accepted", 1, 1)


def andon_accepted_and_dismissed_at_once(db, server):
    first, second = people(db, server)
    for _round in range(ROUNDS):
        report = _report()
        accept, dismiss = (f"/andon/reports/{report.id}/{step}" for step in ("accept", "dismiss"))
        answers = at_once(
            lambda accept=accept: first.form(accept, severity="medium"),
            lambda dismiss=dismiss: second.form(dismiss, reason="Already fixed"),
        )
        winner_and_loser(answers, loser_words="already decided")
        stored = fresh(db, AndonReport, report.id)
        won = "accepted" if answers[0].status_code == 302 else "dismissed"
        assert stored.status == won
        assert (stored.ticket_id is not None) == (won == "accepted")
        assert stored.dismiss_reason == ("Already fixed" if won == "dismissed" else "")


# --- walks: plans, layers, shifts, members ------------------------------------------------------


def _plan(db, site, areas, name="Daily 5S") -> WalkPlan:
    template_id = default_five_s_version().template_id
    leader = UserFactory(role="leader")
    details = walks.PlanDetails(
        name=name,
        template_id=template_id,
        frequency="daily",
        area_ids=[a.id for a in areas],
        person_ids=[leader.id],
        starts_on=date.today(),
    )
    plan = walks.create_plan(site, details)
    db.session.commit()
    return plan


def _plan_form(plan: WalkPlan, area_ids: list[int], name: str) -> dict:
    return {
        "name": name,
        "template_id": str(plan.template_id),
        "frequency": "daily",
        "weekdays": list("01234"),
        "layer_id": "0",
        "person_ids": [str(p.id) for p in plan.people],
        "area_ids": [str(a) for a in area_ids],
        "starts_on": plan.starts_on.isoformat(),
    }


def walk_plan_saved_twice(db, server):
    """Two leaders save one plan with other areas at once: both saved in turn, never a 500;
    the plan has the areas of one of them, not a mix."""
    first, second = people(db, server)
    site = SiteFactory()
    one, two, three = (AreaFactory(site=site) for _ in range(3))
    for round_ in range(ROUNDS):
        plan = _plan(db, site, [one], name=f"Daily {round_}")
        path = f"/walks/plans/{plan.id}"
        mine, theirs = [one.id, two.id], [two.id, three.id]
        forms = _plan_form(plan, mine, plan.name), _plan_form(plan, theirs, plan.name)
        answers = at_once(
            lambda path=path, form=forms[0]: first.form(path, **form),
            lambda path=path, form=forms[1]: second.form(path, **form),
        )
        assert statuses(answers) == [302, 302], [a.text[:500] for a in answers]
        stored = fresh(db, WalkPlan, plan.id)
        assert sorted(a.id for a in stored.areas) in (sorted(mine), sorted(theirs))
        walks.stop_plan(stored)  # the next round's plan may name the same people and areas
        db.session.commit()


def walk_plan_made_twice(db, server):
    """The same new plan sent twice at once: one planned, the other told it overlaps."""
    first, second = people(db, server)
    site = SiteFactory()
    area = AreaFactory(site=site)
    template_id = default_five_s_version().template_id
    db.session.commit()
    fields = {
        "name": "Morning walk",
        "template_id": str(template_id),
        "frequency": "daily",
        "layer_id": "0",
        "person_ids": [str(UserFactory(role="leader").id)],
        "area_ids": [str(area.id)],
        "starts_on": date.today().isoformat(),
    }
    db.session.commit()
    path = f"/walks/plans/new?site={site.id}"
    answers = at_once(lambda: first.form(path, **fields), lambda: second.form(path, **fields))
    winner_and_loser(answers, loser_status=(422,), loser_words="overlaps")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(WalkPlan.id))) == 1


def walk_plan_stopped_twice(db, server):
    first, second = people(db, server)
    site = SiteFactory()
    plan = _plan(db, site, [AreaFactory(site=site)])
    path = f"/walks/plans/{plan.id}/stop"
    answers = at_once(lambda: first.form(path), lambda: second.form(path))
    assert statuses(answers) == [302, 302]
    assert fresh(db, WalkPlan, plan.id).active is False


def layer_added_twice(db, server):
    """Two leaders add "Supervisor" at once: one layer, the other told it exists (not a 500)."""
    first, second = people(db, server)
    for round_ in range(ROUNDS):
        site = SiteFactory()
        db.session.commit()
        path = f"/walks/layers?site={site.id}"
        name = f"Supervisor {round_}"
        answers = at_once(
            lambda path=path, name=name: first.form(path, name=name, rank="2"),
            lambda path=path, name=name: second.form(path, name=name, rank="2"),
        )
        winner_and_loser(answers, loser_status=(422,), loser_words="already has a layer")
        db.session.rollback()
        count = sa.select(sa.func.count(Layer.id)).where(Layer.site_id == site.id)
        assert db.session.scalar(count) == 1


def layers_renamed_to_one_name(db, server):
    first, second = people(db, server)
    for _round in range(ROUNDS):
        site = SiteFactory()
        one, two = Layer(site=site, name="Team", rank=1), Layer(site=site, name="Cell", rank=1)
        db.session.add_all([one, two])
        db.session.commit()
        paths = f"/walks/layers/{one.id}", f"/walks/layers/{two.id}"
        answers = at_once(
            lambda path=paths[0]: first.form(path, name="Line", rank="1"),
            lambda path=paths[1]: second.form(path, name="Line", rank="1"),
        )
        winner_and_loser(answers, loser_status=(422,), loser_words="already has a layer")
        db.session.rollback()
        names = db.session.scalars(sa.select(Layer.name).where(Layer.site_id == site.id))
        assert sorted(names) in (["Cell", "Line"], ["Line", "Team"])


def layer_removed_twice(db, server):
    first, second = people(db, server)
    for _round in range(ROUNDS):
        layer = Layer(site=SiteFactory(), name="Team", rank=1)
        db.session.add(layer)
        db.session.commit()
        path = f"/walks/layers/{layer.id}/remove"
        answers = at_once(lambda path=path: first.form(path), lambda path=path: second.form(path))
        winner_and_loser(answers, loser_status=(404, 409))
        assert fresh(db, Layer, layer.id) is None


def member_put_in_two_layers_at_once(db, server):
    """One person, two layers chosen at the same instant: one membership, never two or a 500."""
    first, second = people(db, server)
    person = UserFactory()
    for _round in range(ROUNDS):
        site = SiteFactory()
        one, two = Layer(site=site, name="Team", rank=1), Layer(site=site, name="Cell", rank=2)
        db.session.add_all([one, two])
        db.session.commit()
        path = f"/walks/members?site={site.id}"
        choices = (person.id, one.id), (person.id, two.id)
        answers = at_once(
            lambda path=path, c=choices[0]: first.form(path, user_id=c[0], layer_id=c[1]),
            lambda path=path, c=choices[1]: second.form(path, user_id=c[0], layer_id=c[1]),
        )
        assert statuses(answers) == [302, 302], [a.text[:300] for a in answers]
        db.session.rollback()
        rows = db.session.scalars(
            sa.select(LayerMember.layer_id).where(
                LayerMember.site_id == site.id, LayerMember.user_id == person.id
            )
        ).all()
        assert len(rows) == 1 and rows[0] in (one.id, two.id)


def shift_added_twice(db, server):
    first, second = people(db, server)
    for round_ in range(ROUNDS):
        site = SiteFactory()
        db.session.commit()
        path = f"/walks/shifts?site={site.id}"
        fields = {"name": f"Night {round_}", "starts": "22:00", "ends": "06:00", "weekdays": "0"}
        answers = at_once(
            lambda path=path, fields=fields: first.form(path, **fields),
            lambda path=path, fields=fields: second.form(path, **fields),
        )
        winner_and_loser(answers, loser_status=(422,), loser_words="already has a shift")
        db.session.rollback()
        count = sa.select(sa.func.count(Shift.id)).where(Shift.site_id == site.id)
        assert db.session.scalar(count) == 1


def shift_removed_twice(db, server):
    first, second = people(db, server)
    for _round in range(ROUNDS):
        shift = walks.create_shift(SiteFactory(), "Early", *_times("06:00", "14:00"))
        db.session.commit()
        path = f"/walks/shifts/{shift.id}/remove"
        answers = at_once(lambda path=path: first.form(path), lambda path=path: second.form(path))
        winner_and_loser(answers, loser_status=(404, 409))
        assert fresh(db, Shift, shift.id) is None


def _times(*texts: str):
    from datetime import time

    return tuple(time.fromisoformat(text) for text in texts)


# --- notifications and webhooks -----------------------------------------------------------------


def _endpoint(db) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url="https://hooks.example.com/gemba", secret="whsec_test", events=["ticket.opened"]
    )
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def webhook_turned_off_and_on_at_once(db, server):
    """Two admins press "turn off" on one page at once: two presses, taken in turn (off, then
    on again), not one press lost."""
    first, second = people(db, server, role="admin")
    for _round in range(ROUNDS):
        endpoint = _endpoint(db)
        path = f"/admin/webhooks/{endpoint.id}/toggle"
        answers = at_once(lambda path=path: first.form(path), lambda path=path: second.form(path))
        assert statuses(answers) == [302, 302]
        assert fresh(db, WebhookEndpoint, endpoint.id).active is True


def webhook_resumed_twice(db, server):
    first, second = people(db, server, role="admin")
    endpoint = _endpoint(db)
    endpoint.paused_at, endpoint.pause_reason, endpoint.consecutive_failures = utcnow(), "x", 9
    db.session.commit()
    path = f"/admin/webhooks/{endpoint.id}/resume"
    answers = at_once(lambda: first.form(path), lambda: second.form(path))
    assert statuses(answers) == [302, 302]
    stored = fresh(db, WebhookEndpoint, endpoint.id)
    assert (stored.paused_at, stored.consecutive_failures) == (None, 0)


def _push_subscription() -> dict:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/{b64(os.urandom(24))}",
        "keys": {"p256dh": b64(point), "auth": b64(os.urandom(16))},
    }


def push_subscribed_twice(db, server):
    """A phone's page subscribes twice at once (two tabs): one subscription, never a 500."""
    email = UserFactory(role="member").email
    db.session.commit()
    tabs = [Person(server, email), Person(server, email)]
    for _round in range(ROUNDS):
        subscription = _push_subscription()
        answers = at_once(
            lambda s=subscription: tabs[0].post_json("/notifications/push/subscriptions", s),
            lambda s=subscription: tabs[1].post_json("/notifications/push/subscriptions", s),
        )
        assert statuses(answers) == [201, 201], [a.text[:300] for a in answers]
        db.session.rollback()
        stored = sa.select(sa.func.count(PushSubscription.id)).where(
            PushSubscription.endpoint == subscription["endpoint"]
        )
        assert db.session.scalar(stored) == 1


SCENARIOS: dict[str, Callable] = {
    "tickets.change_status": ticket_steps_from_the_page,
    "api.update_ticket": ticket_steps_from_the_api,
    "tickets.reassign": ticket_reassigned_twice,
    "tickets.save_pdca": ticket_pdca_saved_twice,
    "tickets.add_comment": ticket_commented_twice,
    "notify.acknowledge": andon_pulled_acknowledged_twice,
    "andon.accept": andon_accepted_twice,
    "andon.dismiss": andon_accepted_and_dismissed_at_once,
    "walks.edit_plan": walk_plan_saved_twice,
    "walks.new_plan": walk_plan_made_twice,
    "walks.stop_plan": walk_plan_stopped_twice,
    "walks.add_layer": layer_added_twice,
    "walks.edit_layer": layers_renamed_to_one_name,
    "walks.remove_layer": layer_removed_twice,
    "walks.set_member": member_put_in_two_layers_at_once,
    "walks.add_shift": shift_added_twice,
    "walks.remove_shift": shift_removed_twice,
    "notify.webhook_toggle": webhook_turned_off_and_on_at_once,
    "notify.webhook_resume": webhook_resumed_twice,
    "notify.push_subscribe": push_subscribed_twice,
}


def test_every_state_changing_route_is_raced_or_says_why_not(app):
    changing = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.methods and rule.methods & STATE_CHANGING
    }
    neither = changing - set(SCENARIOS) - set(NOT_RACED)
    assert not neither, f"give these routes a pair scenario or a reason in NOT_RACED: {neither}"
    assert not set(SCENARIOS) & set(NOT_RACED)
    assert not (set(SCENARIOS) | set(NOT_RACED)) - changing, "a listed route no longer exists"


@pytest.mark.parametrize("endpoint", sorted(SCENARIOS))
def test_two_people_changing_one_thing_at_once_leave_one_consistent_story(
    db, live_server, endpoint
):
    log = Path(live_server._log.name)
    before = len(log.read_text())
    try:
        SCENARIOS[endpoint](db, live_server)
    finally:  # a 500 shows its traceback from the server's log
        written = log.read_text()[before:]
        assert "Traceback" not in written, written[-6000:]
