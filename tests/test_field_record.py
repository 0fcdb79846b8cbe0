"""A field record you can trust, on the server's side: records go in under their author only,
and the same batch arriving twice at the same instant gets the same full answer."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gemba_walk.audits.models import Audit, Finding
from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.core.ids import utcnow
from gemba_walk.sync.models import SyncBatch
from gemba_walk.tickets.models import KaizenTicket
from tests.factories import AreaFactory, UserFactory, demo_layout
from tests.live_phone import Phone
from tests.sync_batches import batch, finding, five_s_audit


@pytest.fixture
def leader_pack(app, client, auth):
    demo_layout(app)
    leader = auth.login_as("leader")
    return leader, client.get("/api/v1/pack").json


def test_records_made_by_another_person_on_the_device_are_refused(api, db, leader_pack):
    """The server's guard: the phone says whose records a batch holds."""
    leader, pack = leader_pack
    area = pack["areas"][0]
    audit = five_s_audit(pack, area, [4])
    someone_else = UserFactory(role="leader").id
    refused = api.sync(batch([audit], author_id=someone_else))
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "wrong_author"
    assert "sent when that person signs in again" in refused.json["error"]["message"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Audit.id))) == 0

    stored = api.sync(batch([audit], author_id=leader.id))
    assert stored.status_code == 200
    db.session.rollback()
    assert db.session.scalar(sa.select(Audit.auditor_id)) == leader.id


def test_a_refused_batch_leaves_its_id_free_for_the_corrected_records(api, db, leader_pack):
    _leader, pack = leader_pack
    sent = batch(findings=[finding(pack["areas"][0], description=" ")])
    assert api.sync(sent).status_code == 422
    sent["findings"][0]["description"] = "Oil under press P2"
    assert api.sync(sent).status_code == 200


def test_a_batch_claimed_by_a_server_that_died_is_taken_over(api, db, leader_pack):
    leader, pack = leader_pack
    sent = batch(findings=[finding(pack["areas"][0])])
    from gemba_walk.sync.received import payload_sha256

    db.session.add(
        SyncBatch(
            uuid=sent["batch_id"],
            user_id=leader.id,
            request_sha256=payload_sha256(sent),
            response=None,
            received_at=utcnow() - timedelta(minutes=10),
        )
    )
    db.session.commit()
    answer = api.sync(sent)
    assert answer.status_code == 200 and answer.json["findings"][0]["status"] == "created"
    assert api.sync(sent).json == answer.json


def test_the_same_batch_arriving_at_once_gets_the_same_full_answer(db, live_server):
    """Every copy of a batch the phone retried gets the score and ticket
    numbers the first got, byte for byte; the records are stored once."""
    ensure_default_templates()
    area = AreaFactory()
    leader = UserFactory(role="leader")
    db.session.commit()
    area_id, email = area.id, leader.email
    db.session.rollback()
    phone = Phone(live_server, email)
    pack = json.loads(phone.opener.open(f"{live_server}/api/v1/pack").read())
    audit = five_s_audit(pack, {"id": area_id}, [1, 4, 4])
    sent = batch([audit], [finding({"id": area_id}, audit, description="Guard bypassed")])

    copies, answers = 12, []
    start = threading.Barrier(copies)

    def send() -> None:
        start.wait(timeout=30)
        answers.append(phone.sync_raw(sent))

    threads = [threading.Thread(target=send) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [200] * copies
    bodies = {body for _, body in answers}
    assert len(bodies) == 1, bodies
    answer = json.loads(bodies.pop())
    assert answer["audits"][0]["status"] == "created"
    assert answer["audits"][0]["score_total"] is not None
    assert all(f["ticket"]["outcome"] == "opened" for f in answer["findings"])
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Audit.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Finding.id))) == len(answer["findings"])
    assert db.session.scalar(sa.select(sa.func.count(KaizenTicket.id))) == len(answer["findings"])


def test_an_answer_id_already_used_elsewhere_is_refused_not_dropped(api, db, leader_pack):
    """An audit whose answer reuses another audit's answer id is not a "duplicate": it is
    refused with words, and nothing of it is stored (it used to be answered 200 and dropped)."""
    _leader, pack = leader_pack
    area = pack["areas"][0]
    first = five_s_audit(pack, area, [4])
    assert api.sync(batch([first])).status_code == 200
    second = five_s_audit(pack, area, [3])
    second["responses"][0]["uuid"] = first["responses"][0]["uuid"]
    answer = api.sync(batch([second]))
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "ids_taken"
    assert second["uuid"] in answer.json["error"]["details"]["uuids"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Audit.id))) == 1
