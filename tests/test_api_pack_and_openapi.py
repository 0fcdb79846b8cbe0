"""The field pack a phone downloads, and the OpenAPI document that describes the real answers."""

from __future__ import annotations

import sqlalchemy as sa

from gemba_walk.api.openapi import validator_for
from gemba_walk.areas.models import Area
from gemba_walk.lean import FIVE_S_PILLARS, WASTES, keys
from tests.factories import AreaFactory, demo_plant
from tests.photo_tools import camera_jpeg, sha256
from tests.sync_batches import batch, finding, five_s_audit, new_id


def _valid(schema: str, body) -> list[str]:
    return [error.message for error in validator_for(schema).iter_errors(body)]


def test_pack_holds_areas_checklists_and_open_tickets(client, auth, db, runner):
    demo_plant(runner)
    auth.login_as("member")
    response = client.get("/api/v1/pack")
    assert response.status_code == 200
    pack = response.json
    assert _valid("Pack", pack) == []
    active = db.session.scalars(sa.select(Area).where(Area.active)).all()
    assert {a["token"] for a in pack["areas"]} == {a.qr_token for a in active}
    five_s = next(t for t in pack["templates"] if t["kind"] == "5s")
    assert {i["section"] for i in five_s["items"]} == set(keys(FIVE_S_PILLARS))
    assert [w["key"] for w in pack["vocabulary"]["wastes"]] == keys(WASTES)
    assert any(a["open_tickets"] for a in pack["areas"])
    assert all(a["last_five_s"]["score"] is not None for a in pack["areas"])


def test_unchanged_pack_costs_a_304(client, auth, runner, db):
    demo_plant(runner)
    auth.login_as("leader")
    first = client.get("/api/v1/pack")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/pack", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-01"))
    area.name = "Goods receiving (renamed)"
    db.session.commit()
    changed = client.get("/api/v1/pack", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_archived_areas_leave_the_pack_and_rotated_tokens_are_listed(client, auth, runner, db):
    demo_plant(runner)
    auth.login_as("admin")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-02"))
    old_token = area.qr_token
    client.post(f"/areas/{area.id}/rotate-token", data={"csrf_token": auth.csrf_token()})
    pack = client.get("/api/v1/pack").json
    assert {"token": old_token, "area_id": area.id} in pack["retired_tokens"]
    client.post(f"/areas/{area.id}/archive", data={"csrf_token": auth.csrf_token()})
    assert area.id not in {a["id"] for a in client.get("/api/v1/pack").json["areas"]}


def test_pack_needs_sign_in(client):
    response = client.get("/api/v1/pack")
    assert response.status_code == 401
    assert _valid("Error", response.json) == []


def test_openapi_document_describes_the_real_answers(client, auth, api, runner):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    # Every route of the API is documented, with every method it answers.
    routes = {
        (rule.rule.replace("<", "{").replace(">", "}"), method.lower())
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes == documented - {(path, "parameters") for path in document["paths"]}
    demo_plant(runner)
    auth.login_as("leader")
    assert _valid("Me", client.get("/api/v1/me").json) == []
    pack = client.get("/api/v1/pack").json
    data, photo_id = camera_jpeg(2000, 1500), new_id()
    photo = api.put_photo(photo_id, data, sha256(data))
    assert _valid("Photo", photo.json) == []
    area = pack["areas"][0]
    audit = five_s_audit(pack, area, [1, 2, 3])
    sent = batch([audit], [finding(area, audit, photos=[photo_id])])
    assert _valid("SyncRequest", sent) == []
    result = api.sync(sent)
    assert _valid("SyncResult", result.json) == []
    for error in (
        api.sync({"batch_id": "x"}),
        api.sync(batch(findings=[finding(area, photos=[new_id()])])),
    ):
        assert error.status_code in (409, 422)
        assert _valid("Error", error.json) == []


def test_a_scan_made_on_the_phone_is_recorded_once(client, auth, api, db):
    from gemba_walk.areas.models import AreaScan
    from tests.factories import AreaFactory

    leader = auth.login_as("leader")
    area = AreaFactory()
    scan = {
        "uuid": new_id(),
        "area_id": area.id,
        "method": "in_app",
        "scanned_at": "2026-11-25T09:12:00Z",
    }
    headers = {"X-CSRFToken": api.token()}
    assert _valid("ScanRequest", scan) == []
    for _ in range(2):
        assert client.post("/api/v1/scans", json=scan, headers=headers).status_code == 201
    stored = db.session.scalars(sa.select(AreaScan)).all()
    assert [(s.user_id, s.method, s.scanned_at.hour) for s in stored] == [(leader.id, "in_app", 9)]
    bad = client.post("/api/v1/scans", json={**scan, "method": "telepathy"}, headers=headers)
    assert bad.status_code == 422 and _valid("Error", bad.json) == []
    unknown = client.post(
        "/api/v1/scans", json={**scan, "uuid": new_id(), "area_id": 99999}, headers=headers
    )
    assert unknown.status_code == 422


def test_the_document_is_generated_from_the_models_that_check_requests(client, auth, api):
    """The OpenAPI schemas are the models' own, and a request the document refuses is refused
    by the server in the same place: a number sent as text ("3") is not a number."""
    from gemba_walk.api.openapi import component_schemas
    from gemba_walk.sync.schema import SyncRequest

    document = client.get("/api/v1/openapi.json").json
    assert document["components"]["schemas"] == component_schemas()
    assert document["components"]["schemas"]["SyncRequest"]["properties"]["audits"]["maxItems"] == (
        SyncRequest.model_fields["audits"].metadata[0].max_length
    )
    auth.login_as("leader")
    area = AreaFactory()
    scan = {
        "uuid": new_id(),
        "area_id": str(area.id),
        "method": "label",
        "scanned_at": "2026-11-25",
    }
    assert _valid("ScanRequest", scan) != []
    refused = client.post("/api/v1/scans", json=scan, headers={"X-CSRFToken": api.token()})
    assert refused.status_code == 422, refused.text
    assert refused.json["error"]["details"] == [
        {"record": "area_id", "message": "Input should be a valid integer"}
    ]
    sent = batch(findings=[finding({"id": area.id}, photos=["not-a-uuid"])])
    answer = api.sync(sent)
    assert _valid("SyncRequest", sent) != []
    assert answer.status_code == 422
    assert answer.json["error"]["details"] == [
        {"record": "findings[0].photo_uuids[0]", "message": "is not a UUID"}
    ]
