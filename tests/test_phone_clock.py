"""Trust the server's clock, not the phone's: a capture time more than
the field rules' few minutes ahead of when the server received it is stored as the received
time, with the phone's own time kept beside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from gemba_walk.audits.models import Audit, Finding
from gemba_walk.extensions import db
from gemba_walk.field_rules import RULES
from tests.factories import UserFactory, demo_plant
from tests.sync_batches import batch, finding, five_s_audit, iso


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def test_an_audit_from_a_phone_a_day_ahead_is_stored_at_the_received_time_and_the_newer_one_is_last(
    client, auth, api, runner
):
    demo_plant(runner)
    leader = UserFactory(role="leader", name="Lia Leader")
    auth.login(leader.email)
    pack = client.get("/api/v1/pack").json
    area = next(a for a in pack["areas"] if a["code"] == "A-11")

    ahead = datetime.now(UTC) + timedelta(days=1)  # this phone's clock runs a day ahead
    early = five_s_audit(pack, area, [1])
    early["started_at"], early["submitted_at"] = iso(ahead - timedelta(minutes=20)), iso(ahead)
    early["scanned_at"] = iso(ahead - timedelta(minutes=21))
    seen = finding(area, early, observed_at=iso(ahead))
    before = datetime.now(UTC)
    assert api.sync(batch([early], [seen])).status_code == 200
    after = datetime.now(UTC)

    db.session.expire_all()
    stored = db.session.scalar(sa.select(Audit).where(Audit.uuid == early["uuid"]))
    assert _naive(before) <= stored.submitted_at <= _naive(after)
    assert stored.started_at <= stored.submitted_at
    assert abs(stored.phone_submitted_at - _naive(ahead)) < timedelta(seconds=1)
    assert stored.phone_started_at is not None
    kept = db.session.scalar(sa.select(Finding).where(Finding.uuid == seen["uuid"]))
    assert _naive(before) <= kept.observed_at <= _naive(after) and kept.phone_observed_at

    # A phone whose clock is right audits the area a little later: that audit is the last one.
    later = five_s_audit(pack, area, [3])
    assert api.sync(batch([later])).status_code == 200
    page = client.get(f"/areas/{area['id']}")
    last = page.text.split("Last audit", 1)[1].split("</section>", 1)[0]
    assert "5S score 3.0 of 5" in last, last

    # A few minutes ahead is a phone's clock as it is: kept as the phone said.
    tolerated = RULES["clock"]["future_minutes"] - 2
    close = five_s_audit(pack, area, [4])
    close["submitted_at"] = iso(datetime.now(UTC) + timedelta(minutes=tolerated))
    assert api.sync(batch([close])).status_code == 200
    db.session.expire_all()
    near = db.session.scalar(sa.select(Audit).where(Audit.uuid == close["uuid"]))
    assert near.phone_submitted_at is None and near.submitted_at > _naive(datetime.now(UTC))
