"""The kaizen workflow as a state machine: random steps by random people never reach an illegal
state, nobody verifies their own ticket, a refused step changes nothing, and history is kept."""

from __future__ import annotations

import io
import uuid

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from PIL import Image

from gemba_walk.audits.photos import PhotoStore, sha256_hex, store_photo
from gemba_walk.core.database import write_transaction
from gemba_walk.lean import TICKET_STATUSES, keys
from gemba_walk.tickets import history, workflow
from gemba_walk.tickets.models import KaizenTicket, TicketEvent
from tests.factories import AreaFactory, TicketFactory, UserFactory

# Who acts, weighted so that walks get far (owners and leaders act more than bystanders).
PEOPLE = st.sampled_from(["owner", "owner", "leader", "leader2", "admin", "member"])
# Every step, plus one that does not exist; forward steps more often, so walks reach "verified".
ACTIONS = st.sampled_from([*workflow.ACTIONS, "teleport", *["start", "done", "verify"] * 3])
ALLOWED_MOVES = {(s, a.to_status) for a in workflow.ACTIONS.values() for s in a.from_statuses}


def small_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 20)).save(buffer, format="JPEG")
    return buffer.getvalue()


def new_ticket(db, area, owner) -> KaizenTicket:
    """An open ticket with its history begun, as every ticket has."""
    ticket = TicketFactory(
        area=area,
        owner=owner,
        title="Loose guard rail",
        problem="Loose guard rail",
        severity="high",
    )
    with write_transaction():
        history.record(ticket, "opened", None, text="Loose guard rail")
    return ticket


def snapshot(ticket: KaizenTicket) -> dict:
    fields = ("status", "owner_id", "countermeasure", "verified_by_id", "whys", "reject_reason")
    return {name: getattr(ticket, name) for name in fields}


@pytest.mark.parametrize("start", keys(TICKET_STATUSES))
def test_random_steps_by_random_people_keep_the_workflow_sound(app, db, tmp_path, start):
    """Random walks from every status (reached the proper way first), so every state's
    invariants are checked on every run, not only when the dice allow."""
    area = AreaFactory()
    people = {
        "owner": UserFactory(role="member", name="Owner"),
        "member": UserFactory(role="member", name="Other member"),
        "leader": UserFactory(role="leader", name="Leader"),
        "leader2": UserFactory(role="leader", name="Second leader"),
        "admin": UserFactory(role="admin", name="Admin"),
    }
    store = PhotoStore(tmp_path / "photos")
    jpeg = small_jpeg()

    class Workflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.ticket = new_ticket(db, area, people["owner"])
            self.events = 1
            self.verified_by_owner_at_the_time = False

        @initialize()
        def reach(self):
            """The walk begins in ``start``: the ticket is first carried there the proper way."""
            owner, leader = people["owner"], people["leader"]
            steps = {
                "open": [],
                "in_progress": ["start"],
                "done": ["start", "carry out", "done"],
                "verified": ["start", "carry out", "done", "verify"],
                "reopened": ["start", "carry out", "done", "send_back"],
                "rejected": ["reject"],
            }[start]
            for step in steps:
                with write_transaction():
                    if step == "carry out":
                        workflow.update_pdca(
                            self.ticket,
                            owner,
                            {"countermeasure": "Re-fixed", "standardize": "Torque on the list"},
                        )
                        stored = store_photo(
                            store, owner, str(uuid.uuid4()), jpeg, sha256_hex(jpeg)
                        )
                        workflow.record_after_photo(self.ticket, owner, stored.photo)
                    else:
                        actor = owner if step in ("start", "done") else leader
                        workflow.transition(self.ticket, actor, step, reason="Because")
            assert self.ticket.status == start
            self.events = self._event_count()

        def _attempt(self, person: str, change) -> bool:
            user = people[person]
            before, events_before = snapshot(self.ticket), self.events
            owner_before = self.ticket.owner_id
            try:
                with write_transaction():
                    change(user)
            except workflow.TicketError as error:
                db.session.refresh(self.ticket)
                assert 400 <= error.status < 500 and error.message
                assert snapshot(self.ticket) == before  # refused: nothing changed
                assert self._event_count() == events_before
                return False
            db.session.refresh(self.ticket)
            if self.ticket.status == "verified" and before["status"] != "verified":
                # separation of duties: the verifier is a leader who does not own the ticket
                assert user.is_leader and user.id != owner_before
            self.events = self._event_count()
            return True

        def _event_count(self) -> int:
            return db.session.scalar(
                sa.select(sa.func.count(TicketEvent.id)).where(
                    TicketEvent.ticket_id == self.ticket.id
                )
            )

        @rule(
            person=PEOPLE,
            action=ACTIONS,
            reason=st.sampled_from(["Not a problem here", "Does not hold", "", "   "]),
        )
        def move(self, person, action, reason):
            self._attempt(
                person,
                lambda user: workflow.transition(self.ticket, user, action, reason=reason),
            )

        @rule(
            person=PEOPLE, text=st.sampled_from(["Fixed bracket", "New bolts, torque marked", ""])
        )
        def write_countermeasure(self, person, text):
            self._attempt(
                person,
                lambda user: workflow.update_pdca(
                    self.ticket, user, {"countermeasure": text, "whys": ["Loose bolt", text]}
                ),
            )

        @rule(person=PEOPLE)
        def add_after_photo(self, person):
            def change(user):
                if not workflow.is_worker(user, self.ticket):
                    raise workflow.TicketError(403, "not_allowed", "Not theirs.")
                stored = store_photo(store, user, str(uuid.uuid4()), jpeg, sha256_hex(jpeg))
                workflow.record_after_photo(self.ticket, user, stored.photo)

            self._attempt(person, change)

        @rule(person=PEOPLE)
        def carry_out_the_countermeasure(self, person):
            """What a team does between "in progress" and "done": countermeasure and photo."""

            def change(user):
                workflow.update_pdca(
                    self.ticket,
                    user,
                    {"countermeasure": "Guard re-fixed", "standardize": "Guard on the 5S list"},
                )
                if not workflow.is_worker(user, self.ticket):
                    raise workflow.TicketError(403, "not_allowed", "Not theirs.")
                stored = store_photo(store, user, str(uuid.uuid4()), jpeg, sha256_hex(jpeg))
                workflow.record_after_photo(self.ticket, user, stored.photo)

            self._attempt(person, change)

        @rule(person=PEOPLE, body=st.sampled_from(["", "Seen it"]))
        def comment(self, person, body):
            self._attempt(person, lambda user: workflow.comment(self.ticket, user, body))

        @rule(person=PEOPLE, new_owner=PEOPLE)
        def reassign(self, person, new_owner):
            self._attempt(
                person, lambda user: workflow.reassign(self.ticket, user, people[new_owner])
            )

        @invariant()
        def status_is_known(self):
            assert self.ticket.status in keys(TICKET_STATUSES)

        @invariant()
        def history_explains_the_status(self):
            events = db.session.scalars(
                sa.select(TicketEvent)
                .where(TicketEvent.ticket_id == self.ticket.id)
                .order_by(TicketEvent.id)
            ).all()
            moves = [(e.from_status, e.to_status) for e in events if e.to_status]
            status = "open"
            for from_status, to_status in moves:
                assert from_status == status and (from_status, to_status) in ALLOWED_MOVES
                status = to_status
            assert status == self.ticket.status  # never lost a step

        @invariant()
        def done_means_countermeasure_and_after_photo(self):
            if self.ticket.status in ("done", "verified") and self.ticket.done_at:
                assert self.ticket.countermeasure.strip()
                assert workflow.after_photo_count(self.ticket) >= 1

        @invariant()
        def verified_means_act_is_filled_and_how_it_was_checked(self):
            if self.ticket.status == "verified":
                assert self.ticket.standardize.strip() or self.ticket.no_change_reason.strip()
                assert self.ticket.verified_how in ("scan", "no_scan")

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=8,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    reached = {"open"} | {e.to_status for e in db.session.scalars(sa.select(TicketEvent))}
    assert start in reached


@pytest.mark.parametrize("role", ["member", "leader"])
def test_nobody_verifies_their_own_ticket(app, db, role):
    owner = UserFactory(role=role)
    ticket = new_ticket(db, AreaFactory(), owner)
    ticket.status = "done"
    db.session.commit()
    with pytest.raises(workflow.TicketError) as refused:
        workflow.transition(ticket, owner, "verify")
    assert refused.value.status == 403
    assert "separation of duties" in refused.value.message or role == "member"


def test_the_whole_loop_from_open_to_verified_is_in_the_history(app, db, tmp_path):
    owner, leader = UserFactory(role="member"), UserFactory(role="leader")
    ticket = new_ticket(db, AreaFactory(), owner)
    jpeg = small_jpeg()
    with write_transaction():
        workflow.transition(ticket, owner, "start")
    with pytest.raises(workflow.TicketError) as refused:
        workflow.transition(ticket, owner, "done")
    assert refused.value.code == "countermeasure_required"
    with write_transaction():
        workflow.update_pdca(
            ticket,
            owner,
            {
                "whys": ["Bolt worked loose", "No torque check"],
                "countermeasure": "Torque-marked bolts",
            },
        )
    with pytest.raises(workflow.TicketError) as refused:
        workflow.transition(ticket, owner, "done")
    assert refused.value.code == "after_photo_required"
    with write_transaction():
        stored = store_photo(
            PhotoStore(tmp_path / "p"), owner, str(uuid.uuid4()), jpeg, sha256_hex(jpeg)
        )
        workflow.record_after_photo(ticket, owner, stored.photo)
    with write_transaction():
        workflow.transition(ticket, owner, "done")
    with pytest.raises(workflow.TicketError) as refused:
        workflow.transition(ticket, leader, "verify", result="Holds after a week")
    assert (refused.value.status, refused.value.code) == (422, "act_required")
    assert "no standard change is needed, and why" in refused.value.message
    with write_transaction():
        workflow.update_pdca(ticket, owner, {"standardize": "Torque marks on the 5S list"})
    with write_transaction():
        workflow.transition(ticket, leader, "verify", result="Holds after a week")
    db.session.refresh(ticket)
    assert (ticket.status, ticket.verified_by_id, ticket.check_result) == (
        "verified",
        leader.id,
        "Holds after a week",
    )
    kinds = [(e.kind, e.to_status) for e in ticket.events]
    assert kinds == [
        ("opened", None),
        ("status_changed", "in_progress"),
        ("fields_changed", None),
        ("after_photo", None),
        ("status_changed", "done"),
        ("fields_changed", None),
        ("verified", "verified"),
    ]
    assert ticket.events[-1].data == {
        "from": "done",
        "to": "verified",
        "how": "no_scan",
        "self_verified": False,
        "result": "Holds after a week",
    }
    with app.test_request_context():
        assert history.sentence(ticket.events[-1]) == (
            "Done → Verified. Verified without a label scan. Holds after a week"
        )
