"""Sync: what a phone captured offline is stored exactly once, and bad batches store nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gemba_walk.audits.models import Audit, Finding, Photo, Response
from gemba_walk.sync.schema import MAX_FINDINGS_PER_BATCH
from gemba_walk.tickets.models import KaizenTicket
from tests.factories import demo_layout
from tests.photo_tools import camera_jpeg, sha256
from tests.sync_batches import batch, finding, five_s_audit, new_id


@pytest.fixture
def leader_pack(app, client, auth):
    """A leader signed in on the demo plant (its layout), holding the field pack."""
    demo_layout(app)
    auth.login_as("leader")
    return client.get("/api/v1/pack").json


def _counts(db) -> dict:
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Audit, Response, Finding)
    }


def test_offline_audit_with_findings_and_photos_syncs_once(api, db, leader_pack):
    area = leader_pack["areas"][0]
    audit = five_s_audit(leader_pack, area, [4, 4, 3, 2, 1])
    photo_ids = []
    for _ in range(2):
        data, uuid = camera_jpeg(1600, 1200), new_id()
        assert api.put_photo(uuid, data, sha256(data)).status_code == 201
        photo_ids.append(uuid)
    found = finding(area, audit, photos=photo_ids, kind="5s", category="shine", severity="medium")
    before = _counts(db)
    first = api.sync(batch([audit], [found]))
    assert first.status_code == 200, first.json
    assert first.json["audits"][0]["status"] == "created"
    answer, *from_low_scores = first.json["findings"]
    assert (answer["uuid"], answer["status"]) == (found["uuid"], "created")
    # The six items scored 2 or 1 had no finding from the phone: the server made them.
    assert len(from_low_scores) == 6
    assert all(f["ticket"]["number"].startswith("KZ-") for f in from_low_scores)
    stored_finding = db.session.scalar(sa.select(Finding).where(Finding.uuid == found["uuid"]))
    ticket = db.session.get(KaizenTicket, stored_finding.ticket_id)
    assert answer["ticket"] == {
        "number": ticket.display_number,
        "outcome": "opened",
        "occurrences": 1,
        "status": "open",
    }
    stored = db.session.scalar(sa.select(Audit).where(Audit.uuid == audit["uuid"]))
    assert stored.scanned_at is not None
    # 15 items cycling 4,4,3,2,1: every pillar gets three of them
    assert stored.score_total == pytest.approx(first.json["audits"][0]["score_total"])
    assert set(stored.pillar_scores) == {"sort", "set_in_order", "shine", "standardize", "sustain"}
    photos = db.session.scalars(sa.select(Photo).where(Photo.uuid.in_(photo_ids))).all()
    assert {p.finding.uuid for p in photos} == {found["uuid"]}
    after_first = _counts(db)
    assert after_first["Audit"] == before["Audit"] + 1
    assert after_first["Response"] == before["Response"] + 15
    assert after_first["Finding"] == before["Finding"] + 7

    replay = api.sync(batch([audit], [found]))  # the phone did not hear the answer: resend
    assert replay.status_code == 200
    assert [a["status"] for a in replay.json["audits"]] == ["duplicate"]
    assert [f["status"] for f in replay.json["findings"]] == ["duplicate"]
    assert _counts(db) == after_first


def test_the_same_batch_replayed_gets_the_same_answer(api, db, leader_pack):
    area = leader_pack["areas"][1]
    sent = batch([five_s_audit(leader_pack, area, [3])], [finding(area)])
    first = api.sync(sent)
    again = api.sync(sent)
    assert again.status_code == 200 and again.json == first.json


def test_a_changed_record_under_a_synced_id_is_refused(api, db, leader_pack):
    area = leader_pack["areas"][0]
    record = finding(area)
    api.sync(batch(findings=[record]))
    changed = {**record, "description": "Something else entirely"}
    response = api.sync(batch(findings=[changed]))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "record_changed"
    assert response.json["error"]["details"] == {"uuids": [record["uuid"]]}
    stored = db.session.scalar(sa.select(Finding).where(Finding.uuid == record["uuid"]))
    assert stored.description == record["description"]


def test_a_missing_photo_is_named_and_nothing_is_stored(api, db, leader_pack):
    area = leader_pack["areas"][0]
    data, uploaded = camera_jpeg(640, 480), new_id()
    api.put_photo(uploaded, data, sha256(data))
    lost = new_id()
    before = _counts(db)
    response = api.sync(batch(findings=[finding(area, photos=[uploaded, lost])]))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "photos_missing"
    assert response.json["error"]["details"] == {"missing": [lost]}
    assert _counts(db) == before


def test_a_finding_for_an_audit_synced_earlier_is_accepted(api, db, leader_pack):
    area = leader_pack["areas"][2]
    audit = five_s_audit(leader_pack, area, [5])
    api.sync(batch([audit]))
    late = finding(area, audit, kind="waste", category="motion", severity="low")
    response = api.sync(batch(findings=[late]))
    assert response.status_code == 200
    stored = db.session.scalar(sa.select(Finding).where(Finding.uuid == late["uuid"]))
    assert stored.audit.uuid == audit["uuid"]


BAD_BATCHES = {
    "missing batch id": lambda pack, area: {"audits": []},
    "unknown field": lambda pack, area: batch(surprise=True),
    "wrong type": lambda pack, area: batch(findings=[finding(area, area_id="seven")]),
    "missing description": lambda pack, area: batch(
        findings=[{k: v for k, v in finding(area).items() if k != "description"}]
    ),
    "unknown area": lambda pack, area: batch(findings=[finding(area, area_id=999_999)]),
    "unknown template version": lambda pack, area: batch(
        [{**five_s_audit(pack, area, [3]), "template_version_id": 999_999}]
    ),
    "score out of range": lambda pack, area: batch([five_s_audit(pack, area, [3, 7])]),
    "bad category": lambda pack, area: batch(
        findings=[finding(area, kind="waste", category="laziness")]
    ),
    "bad timestamp": lambda pack, area: batch(findings=[finding(area, observed_at="yesterday")]),
    "unsent audit": lambda pack, area: batch(findings=[finding(area, audit_uuid=new_id())]),
    "oversized batch": lambda pack, area: batch(
        findings=[finding(area) for _ in range(MAX_FINDINGS_PER_BATCH + 1)]
    ),
}


@pytest.mark.parametrize("case", BAD_BATCHES)
def test_bad_batches_are_refused_clearly_and_store_nothing(api, db, leader_pack, case):
    area = leader_pack["areas"][0]
    before = _counts(db)
    response = api.sync(BAD_BATCHES[case](leader_pack, area))
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] in ("invalid_batch", "invalid_records")
    assert error["details"] and all(d["message"] for d in error["details"])
    assert _counts(db) == before


def test_malformed_json_is_a_400(client, api, leader_pack):
    response = client.post(
        "/api/v1/sync",
        data=b'{"batch_id": "oops',
        headers={"X-CSRFToken": api.token(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_json"


def test_a_body_too_large_is_a_413_not_retried_forever(client, api, leader_pack):
    response = client.post(
        "/api/v1/sync",
        data=b"[" + b" " * (3 * 1024 * 1024) + b"]",
        headers={"X-CSRFToken": api.token(), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "fewer records" in response.json["error"]["message"]


def test_sync_without_csrf_or_session_stores_nothing(client, auth, api, db, leader_pack):
    area = leader_pack["areas"][0]
    before = _counts(db)
    response = api.sync(batch(findings=[finding(area)]), csrf=False)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "csrf_failed"
    token = api.token()
    auth.logout()
    response = client.post(
        "/api/v1/sync", json=batch(findings=[finding(area)]), headers={"X-CSRFToken": token}
    )
    assert response.status_code in (400, 401)
    assert _counts(db) == before


def test_another_users_batch_id_is_not_replayed_to_someone_else(client, auth, api, leader_pack):
    area = leader_pack["areas"][0]
    sent = batch(findings=[finding(area)])
    assert api.sync(sent).status_code == 200
    auth.logout()
    auth.login_as("leader")
    response = api.sync(sent)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "batch_reused"
