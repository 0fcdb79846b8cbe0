"""API tokens and the REST reads: a token is shown once and kept hashed, opens exactly its
scopes (403 otherwise), stops at revocation (401), records its last use; lists are filtered by
time and site and paginated; a ticket is updated by a token without CSRF, by the workflow's
rules."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from gemba_walk.auth.models import ApiToken
from gemba_walk.core.ids import utcnow
from gemba_walk.findings.operations import report_problem
from tests.factories import AreaFactory, SiteFactory, UserFactory


def make_token(client, auth, name="Power BI", scopes=("read",)) -> str:
    token = auth.csrf_token("/account/tokens")
    page = client.post(
        "/account/tokens", data={"csrf_token": token, "name": name, "scope": list(scopes)}
    )
    assert page.status_code == 200, page.text
    assert page.headers["Cache-Control"] == "no-store"
    return re.search(r'<code class="token-text">(gw_[^<]+)</code>', page.text).group(1)


def bearer(text: str) -> dict:
    return {"Authorization": f"Bearer {text}"}


def report(user, area, text="Oil under press 3"):
    return report_problem(
        user, area_id=area.id, category="safety", severity="medium", description=text
    ).ticket


def test_a_token_is_shown_once_kept_hashed_and_reads_with_its_scope(db, client, auth, new_device):
    member = auth.login_as("member")
    text = make_token(client, auth)
    row = db.session.scalar(sa.select(ApiToken))
    assert text not in (row.token_sha256, row.prefix) and text.startswith(row.prefix)
    assert text not in client.get("/account/tokens").text, "shown once"
    area = AreaFactory()
    report(member, area)

    bi = new_device()  # another system: no cookie, only the token
    answer = bi.get("/api/v1/tickets", headers=bearer(text))
    assert answer.status_code == 200
    assert [t["title"] for t in answer.json["items"]] == ["Oil under press 3"]
    db.session.refresh(row)
    assert row.last_used_at is not None

    refused = bi.patch("/api/v1/tickets/1", json={"comment": "hi"}, headers=bearer(text))
    assert refused.status_code == 403 and "write:tickets" in refused.json["error"]["message"]
    assert bi.get("/api/v1/tickets", headers=bearer(text + "x")).status_code == 401

    token = auth.csrf_token("/account/tokens")
    assert (
        client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": token}).status_code
        == 302
    )
    gone = bi.get("/api/v1/tickets", headers=bearer(text))
    assert gone.status_code == 401 and "revoked" in gone.json["error"]["message"]
    assert bi.get("/api/v1/tickets").status_code == 401


def test_a_write_token_updates_a_ticket_by_the_workflow_rules_without_csrf(
    db, client, auth, new_device
):
    owner = auth.login_as("member")
    area = AreaFactory(owner=owner)
    ticket = report(UserFactory(), area)
    text = make_token(client, auth, "ERP bridge", ("read", "write:tickets"))
    erp = new_device()
    started = erp.patch(
        f"/api/v1/tickets/{ticket.number}",
        json={
            "action": "start",
            "comment": "Ordered the part",
            "pdca": {"root_cause": "Worn seal"},
        },
        headers=bearer(text),
    )
    assert started.status_code == 200, started.text
    assert (started.json["status"], started.json["root_cause"]) == ("in_progress", "Worn seal")
    done = erp.patch(
        f"/api/v1/tickets/{ticket.number}", json={"action": "done"}, headers=bearer(text)
    )
    assert done.status_code == 422 and "countermeasure" in done.json["error"]["message"]
    bad = erp.patch(
        f"/api/v1/tickets/{ticket.number}", json={"action": "fly"}, headers=bearer(text)
    )
    assert bad.status_code == 422
    assert (
        erp.patch("/api/v1/tickets/99999", json={"comment": "x"}, headers=bearer(text)).status_code
        == 404
    )
    # The signed-in phone's session still needs its CSRF token for the same write.
    assert (
        client.patch(f"/api/v1/tickets/{ticket.number}", json={"comment": "x"}).status_code == 400
    )


def test_lists_are_filtered_by_time_and_site_and_paginated(db, client, auth):
    member = auth.login_as("member")
    north, south = SiteFactory(name="North"), SiteFactory(name="South")
    areas = [AreaFactory(site=north), AreaFactory(site=north), AreaFactory(site=south)]
    for area in areas:
        report(member, area)
    page = client.get("/api/v1/areas?limit=2").json
    assert len(page["items"]) == 2 and page["next_after"] is not None
    rest = client.get(f"/api/v1/areas?limit=2&after={page['next_after']}").json
    assert len(rest["items"]) == 1 and rest["next_after"] is None
    assert len(client.get(f"/api/v1/tickets?site={north.id}").json["items"]) == 2
    assert len(client.get(f"/api/v1/findings?site={south.id}").json["items"]) == 1
    later = (utcnow() + timedelta(hours=1)).isoformat() + "Z"
    assert client.get(f"/api/v1/tickets?since={later}").json["items"] == []
    assert len(client.get(f"/api/v1/tickets?until={later}").json["items"]) == 3
    assert client.get("/api/v1/audits").json == {"items": [], "next_after": None}
    for query in ("since=yesterday", "limit=0", "limit=201", "site=-1", "status=lost"):
        answer = client.get(f"/api/v1/tickets?{query}")
        assert answer.status_code == 422, query
        assert answer.json["error"]["message"]


def test_only_an_admin_makes_tokens_for_someone_else(db, client, auth):
    service = UserFactory(role="member", name="BI service account")
    auth.login_as("admin")
    token = auth.csrf_token("/account/tokens")
    page = client.post(
        "/account/tokens",
        data={
            "csrf_token": token,
            "name": "Nightly export",
            "scope": "read",
            "user_id": service.id,
        },
    )
    assert page.status_code == 200
    assert db.session.scalar(sa.select(ApiToken.user_id)) == service.id
    empty = client.post("/account/tokens", data={"csrf_token": token, "name": "", "scope": "read"})
    assert empty.status_code == 422 and "Name the token" in empty.text


def test_the_for_list_names_a_person_without_e_mail_by_username(db, client, auth):
    """A floor person who signs in with a username reads as such, never as
    '(None)'."""
    UserFactory(role="member", name="Line PLC reader", email=None, username="plc-reader")
    auth.login_as("admin")
    page = client.get("/account/tokens").text
    assert "Line PLC reader (plc-reader)</option>" in page
    assert "(None)" not in page


def test_a_token_sent_to_the_phones_sync_is_answered_401_with_words(db, client, auth, new_device):
    """/api/v1/sync with a Bearer token once answered 400 csrf_failed, as
    if a form had expired. A bad token is a 401 that says so; a good one is told that sync takes
    the phone's session; the phone's own session without its CSRF token still gets 400."""
    auth.login_as("member")
    text = make_token(client, auth, "ERP bridge", ("read", "write:tickets"))
    script = new_device()
    batch = {"audits": [], "findings": []}
    bad = script.post("/api/v1/sync", json=batch, headers=bearer("gw_not-a-token"))
    assert bad.status_code == 401, bad.text
    assert bad.json["error"]["code"] == "invalid_token"
    assert "unknown or was revoked" in bad.json["error"]["message"]
    good = script.post("/api/v1/sync", json=batch, headers=bearer(text))
    assert good.status_code == 401 and good.json["error"]["code"] == "token_not_accepted"
    assert "phone's session" in good.json["error"]["message"]
    phone = client.post("/api/v1/sync", json=batch)
    assert phone.status_code == 400 and phone.json["error"]["code"] == "csrf_failed"
