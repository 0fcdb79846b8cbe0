"""An admin shapes checklists without a developer: builds one, publishes it to phones, edits a
published one into a new version, duplicates and retires; audits keep the version they used."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from gemba_walk.audits.models import Audit, Finding
from gemba_walk.checklists.models import ChecklistTemplate, ChecklistTemplateVersion
from gemba_walk.field_rules import default_severity
from gemba_walk.tickets.models import KaizenTicket
from tests.factories import demo_layout
from tests.sync_batches import batch, five_s_audit, iso, new_id, template

SAFETY_ROUND = {
    "name": "Daily safety round",
    "description": "Before the first shift",
    "items": [
        {
            "prompt": "Fire extinguisher in place and inspected",
            "section": "Fire",
            "response_type": "pass_fail",
            "photo_required": "y",
        },
        {
            "prompt": "Compressed air pressure (bar)",
            "key": "air-pressure",
            "section": "Utilities",
            "response_type": "number",
            "min_value": "6",
            "max_value": "8,5",
        },
        {
            "prompt": "Which guard is fitted?",
            "section": "Machines",
            "response_type": "choice",
            "levels": "Fixed\nInterlocked\nLight curtain",
        },
        {"prompt": "Anything else?", "section": "Machines", "response_type": "text"},
    ],
}


def editor_form(csrf: str, spec: dict, action: str = "save", kind: str | None = None) -> dict:
    """What the builder form posts: the template's fields and one group per item."""
    data = {
        "csrf_token": csrf,
        "action": action,
        "name": spec["name"],
        "description": spec.get("description", ""),
        "item_count": str(len(spec["items"])),
    }
    if kind:
        data["kind"] = kind
    for index, item in enumerate(spec["items"]):
        for name, value in item.items():
            data[f"item-{index}-{name}"] = value
    return data


def form_of(html: str) -> dict:
    """Read the builder form back as a spec, as a browser would post it unchanged."""
    count = int(re.search(r'name="item_count" value="(\d+)"', html).group(1))
    name = re.search(
        r'id="name" name="name"[^>]*?value="([^"]*)"|value="([^"]*)"[^>]*id="name"', html
    )
    items = []
    for index in range(count):
        prompt = re.search(rf'id="item-{index}-prompt"[^>]*>([^<]*)</textarea>', html).group(1)
        items.append({"prompt": prompt})
    return {"name": name.group(1) or name.group(2) if name else "", "items": items}


@pytest.fixture
def admin(auth, db, app):
    demo_layout(app)
    return auth.login_as("admin")


def pack_of(client) -> dict:
    """The field pack as a phone downloads it."""
    answer = client.get("/api/v1/pack")
    assert answer.status_code == 200
    return answer.json


def test_an_admin_builds_a_custom_checklist_and_phones_get_it_once_published(
    client, auth, admin, db
):
    page = client.get("/admin/checklists/new")
    assert page.status_code == 200 and "Custom checklist" in page.text
    created = client.post(
        "/admin/checklists/new",
        data=editor_form(
            auth.csrf_token("/admin/checklists/new?kind=custom"), SAFETY_ROUND, kind="custom"
        ),
    )
    assert created.status_code == 302
    safety = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.name == "Daily safety round")
    )
    assert safety.kind == "custom" and [v.state for v in safety.versions] == ["draft"]
    assert "Daily safety round" not in {t["name"] for t in pack_of(client)["templates"]}

    show = client.get(f"/admin/checklists/{safety.id}")
    assert "Publish version 1" in show.text
    published = client.post(
        f"/admin/checklists/{safety.id}/publish", data={"csrf_token": auth.csrf_token()}
    )
    assert published.status_code == 302

    sent = template(pack_of(client), safety.key)
    assert sent["name"] == "Daily safety round" and sent["version"] == 1
    items = {item["prompt"]: item for item in sent["items"]}
    extinguisher = items["Fire extinguisher in place and inspected"]
    assert extinguisher["response_type"] == "pass_fail" and extinguisher["photo_required"]
    assert extinguisher["key"] == "fire-extinguisher-in-place-and-inspected"
    air = items["Compressed air pressure (bar)"]
    assert (air["key"], air["min"], air["max"]) == ("air-pressure", 6, 8.5)
    assert items["Which guard is fitted?"]["levels"] == ["Fixed", "Interlocked", "Light curtain"]
    assert [i["section"] for i in sent["items"]] == ["Fire", "Utilities", "Machines", "Machines"]


def test_a_reading_out_of_range_or_a_failed_check_opens_a_ticket(client, auth, admin, api, db):
    client.post(
        "/admin/checklists/new",
        data=editor_form(auth.csrf_token(), SAFETY_ROUND, kind="custom"),
    )
    safety = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.kind == "custom")
    )
    client.post(f"/admin/checklists/{safety.id}/publish", data={"csrf_token": auth.csrf_token()})
    pack = client.get("/api/v1/pack").json
    sent = template(pack, safety.key)
    area = pack["areas"][0]
    by_key = {item["key"]: item for item in sent["items"]}
    audit = {
        "uuid": new_id(),
        "area_id": area["id"],
        "template_version_id": sent["version_id"],
        "started_at": iso(datetime.now(UTC) - timedelta(minutes=5)),
        "submitted_at": iso(datetime.now(UTC)),
        "scanned_at": None,
        "note": "",
        "responses": [
            {"uuid": new_id(), "item_id": by_key["air-pressure"]["id"], "value_number": 4.2},
            {
                "uuid": new_id(),
                "item_id": by_key["fire-extinguisher-in-place-and-inspected"]["id"],
                "value_bool": True,
            },
        ],
    }
    answer = api.sync(batch([audit]))
    assert answer.status_code == 200, answer.json
    findings = db.session.scalars(sa.select(Finding).order_by(Finding.id)).all()
    assert [f.description for f in findings] == [
        "Compressed air pressure (bar) — reading 4.2 is outside the normal range 6 to 8.5"
    ]
    assert findings[0].kind == "custom" and findings[0].category == "Utilities"
    assert findings[0].severity == default_severity("custom")  # what the phone would choose
    ticket = db.session.get(KaizenTicket, findings[0].ticket_id)
    assert ticket.status == "open"
    report = client.get(f"/insight/audits/{audit['uuid']}")
    assert report.status_code == 200
    assert "Daily safety round" in report.text and "4.2" in report.text
    assert ticket.display_number in report.text
    # The dashboard has a Pareto of your own checklists' findings once there are some.
    dashboard = client.get("/insight/?days=30").text
    custom = dashboard[dashboard.index("Findings of your own checklists by section") :]
    assert re.search(r"Utilities<meter[^>]*></meter></th>\s*<td>1 ", custom)
    # A big reading is written as people write it (not 1.23457e+06), as on the phone.
    audit["uuid"] = new_id()
    for response in audit["responses"]:
        response["uuid"] = new_id()
    audit["responses"][0]["value_number"] = 1234567
    assert api.sync(batch([audit])).status_code == 200
    latest = db.session.scalars(sa.select(Finding).order_by(Finding.id.desc())).first()
    assert latest.description == (
        "Compressed air pressure (bar) — reading 1234567 is outside the normal range 6 to 8.5"
    )


def test_editing_a_published_checklist_makes_a_new_version_and_old_audits_never_change(
    client, auth, admin, api, db
):
    old_pack = pack_of(client)
    five_s_v1 = template(old_pack, "5s-audit")
    area = old_pack["areas"][0]
    made_with_v1 = five_s_audit(old_pack, area, [4, 3, 5])
    assert api.sync(batch([made_with_v1])).status_code == 200
    report_before = client.get(f"/insight/audits/{made_with_v1['uuid']}").text
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )

    editor = client.get(f"/admin/checklists/{five_s.id}/edit")
    assert editor.status_code == 200
    spec = {
        "name": "5S audit — 2027 standard",  # renamed too
        "items": [
            {
                "key": item["key"],
                "section": item["section"],
                "prompt": item["prompt"],
                "response_type": "score",
                "ticket_threshold": "2",
            }
            for item in five_s_v1["items"][1:]  # the first question is dropped
        ],
    }
    spec["items"][0]["prompt"] = "Unneeded items are red-tagged within a week"
    saved = client.post(
        f"/admin/checklists/{five_s.id}/edit", data=editor_form(auth.csrf_token(), spec)
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert [(v.number, v.state) for v in five_s.versions] == [(1, "published"), (2, "draft")]
    # Until it is published, phones keep version 1.
    assert template(pack_of(client), "5s-audit")["version_id"] == five_s_v1["version_id"]
    assert template(pack_of(client), "5s-audit")["name"] == "5S audit"
    assert "Publishing renames the checklist" in client.get(f"/admin/checklists/{five_s.id}").text

    client.post(f"/admin/checklists/{five_s.id}/publish", data={"csrf_token": auth.csrf_token()})
    new_pack = pack_of(client)
    five_s_v2 = template(new_pack, "5s-audit")
    assert five_s_v2["version"] == 2 and len(five_s_v2["items"]) == len(five_s_v1["items"]) - 1
    assert five_s_v2["name"] == "5S audit — 2027 standard"
    assert five_s_v2["items"][0]["prompt"] == "Unneeded items are red-tagged within a week"
    assert five_s_v2["items"][0]["key"] == five_s_v1["items"][1]["key"]  # trends stay together

    # The report of the audit made with version 1 reads exactly as before.
    report_after = client.get(f"/insight/audits/{made_with_v1['uuid']}").text
    assert _main(report_after) == _main(report_before)
    assert five_s_v1["items"][0]["prompt"] in report_after
    assert "5S audit · " in _main(report_after) and "2027" not in _main(report_after)

    # A phone that was offline with version 1 still syncs; a new phone syncs version 2.
    late = five_s_audit(old_pack, area, [2, 5])
    fresh = five_s_audit(new_pack, area, [5])
    answer = api.sync(batch([late, fresh]))
    assert answer.status_code == 200, answer.json
    versions = dict(db.session.execute(sa.select(Audit.uuid, Audit.template_version_id)).all())
    assert versions[late["uuid"]] == five_s_v1["version_id"]
    assert versions[fresh["uuid"]] == five_s_v2["version_id"]


def _main(html: str) -> str:
    """The page's own content, without the one-off messages above it."""
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'<div class="flashes".*?</div>', "", main, flags=re.S)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"items": []}, "A checklist needs at least one item"),
        ({"name": "  "}, "Give the checklist a name."),
        (
            {
                "items": [
                    {"prompt": "Shadow board complete", "key": "board"},
                    {"prompt": "Bins labelled", "key": "board"},
                ]
            },
            "the key “board” is already used by item 1",
        ),
        (
            {
                "items": [
                    {"prompt": "Floor clean", "response_type": "score", "levels": "a\nb\nc\nd\ne"}
                ]
            },
            "describe each score 0 to 5, one per line (6 lines; you gave 5)",
        ),
        (
            {
                "items": [
                    {"prompt": "Floor clean", "response_type": "score", "ticket_threshold": "7"}
                ]
            },
            "the ticket threshold must be a whole score from 0 to 5",
        ),
        (
            {
                "items": [
                    {
                        "prompt": "Oil temperature",
                        "response_type": "number",
                        "min_value": "60",
                        "max_value": "40",
                    }
                ]
            },
            "the upper limit is below the lower limit",
        ),
        (
            {
                "items": [
                    {"prompt": "Oil temperature", "response_type": "number", "min_value": "warm"}
                ]
            },
            "“warm” is not a number.",
        ),
        (
            {"items": [{"prompt": "Guard type", "response_type": "choice", "levels": "Fixed"}]},
            "list at least two choices",
        ),
        ({"items": [{"prompt": "", "key": "x"}]}, "Item 1: write the question to answer."),
        ({"items": [{"prompt": "Ok", "key": "Not OK!"}]}, "may hold only a–z, 0–9, - and _"),
        (
            {"items": [{"prompt": "Notes", "response_type": "text", "photo_required": "y"}]},
            "a written answer has no finding to photograph",
        ),
    ],
)
def test_the_builder_refuses_a_broken_checklist_with_a_clear_message(
    client, auth, admin, db, change, message
):
    spec = {"name": "Line check", "items": [{"prompt": "Guards closed", "response_type": "yes_no"}]}
    spec.update(change)
    before = db.session.scalar(sa.select(sa.func.count(ChecklistTemplateVersion.id)))
    answer = client.post(
        "/admin/checklists/new", data=editor_form(auth.csrf_token(), spec, kind="custom")
    )
    assert answer.status_code == 422
    assert message in answer.text.replace("&#34;", '"')
    assert "Not saved" in answer.text
    assert db.session.scalar(sa.select(sa.func.count(ChecklistTemplateVersion.id))) == before


@pytest.mark.parametrize(
    ("kind", "items", "message"),
    [
        (
            "5s",
            [{"prompt": "Floor clean", "section": "tidy", "response_type": "score"}],
            "choose one of Sort",
        ),
        (
            "5s",
            [{"prompt": "Red tags used", "section": "sort", "response_type": "yes_no"}],
            "needs at least one item scored 0–5",
        ),
        (
            "waste",
            [{"prompt": "Queues", "section": "queues", "response_type": "yes_no"}],
            "choose one of Transport",
        ),
        (
            "abnormality",
            [
                {
                    "prompt": "What kind?",
                    "key": "category",
                    "response_type": "choice",
                    "levels": "safety\nquality",
                }
            ],
            "needs an item with the key “severity”",
        ),
    ],
)
def test_each_kind_keeps_what_its_phone_screen_and_dashboard_need(
    client, auth, admin, kind, items, message
):
    answer = client.post(
        "/admin/checklists/new",
        data=editor_form(auth.csrf_token(), {"name": "Mine", "items": items}, kind=kind),
    )
    assert answer.status_code == 422 and message in answer.text


def test_add_remove_and_move_rearrange_the_form_without_saving(client, auth, admin, db):
    spec = {"name": "Line check", "items": [{"prompt": "First"}, {"prompt": "Second"}]}
    csrf = auth.csrf_token()
    moved = client.post("/admin/checklists/new", data=editor_form(csrf, spec, "down-0", "custom"))
    assert moved.status_code == 200 and "Not saved yet" in moved.text
    assert [i["prompt"] for i in form_of(moved.text)["items"]] == ["Second", "First"]
    added = client.post("/admin/checklists/new", data=editor_form(csrf, spec, "add", "custom"))
    assert [i["prompt"] for i in form_of(added.text)["items"]] == ["First", "Second", ""]
    removed = client.post(
        "/admin/checklists/new", data=editor_form(csrf, spec, "remove-0", "custom")
    )
    assert [i["prompt"] for i in form_of(removed.text)["items"]] == ["Second"]
    assert (
        client.post(
            "/admin/checklists/new", data=editor_form(csrf, spec, "remove-9", "custom")
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/admin/checklists/new", data=editor_form(csrf, spec, "explode", "custom")
        ).status_code
        == 400
    )
    damaged = editor_form(csrf, spec, kind="custom") | {"item_count": "many"}
    assert client.post("/admin/checklists/new", data=damaged).status_code == 400
    assert client.get("/admin/checklists/new?kind=secret").status_code == 400
    assert client.post("/admin/checklists/new", data=editor_form(csrf, spec)).status_code == 400
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ChecklistTemplate.id)).where(ChecklistTemplate.kind == "custom")
        )
        == 0
    )


def test_duplicate_retire_and_bring_back(client, auth, admin, api, db):
    old_pack = pack_of(client)
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )

    copied = client.post(
        f"/admin/checklists/{five_s.id}/duplicate", data={"csrf_token": auth.csrf_token()}
    )
    copy = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.name == "Copy of 5S audit")
    )
    assert copied.headers["Location"].endswith(f"/admin/checklists/{copy.id}")
    assert copy.kind == "5s" and copy.key != five_s.key and copy.versions[0].state == "draft"
    assert [i.key for i in copy.versions[0].items] == [
        i.key for i in five_s.published_version.items
    ]

    client.post(f"/admin/checklists/{five_s.id}/retire", data={"csrf_token": auth.csrf_token()})
    assert "5s-audit" not in {t["key"] for t in pack_of(client)["templates"]}
    # A phone that still holds it syncs its audit; the report stays readable.
    late = five_s_audit(old_pack, old_pack["areas"][0], [3])
    assert api.sync(batch([late])).status_code == 200
    assert client.get(f"/insight/audits/{late['uuid']}").status_code == 200
    assert "retired" in client.get("/admin/checklists/").text

    client.post(f"/admin/checklists/{five_s.id}/restore", data={"csrf_token": auth.csrf_token()})
    assert "5s-audit" in {t["key"] for t in pack_of(client)["templates"]}


def test_publish_and_discard_need_a_draft(client, auth, admin, db):
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )
    nothing = client.post(
        f"/admin/checklists/{five_s.id}/publish", data={"csrf_token": auth.csrf_token()}
    )
    assert nothing.status_code == 409 and "There is no draft to publish" in nothing.text
    assert (
        client.post(
            f"/admin/checklists/{five_s.id}/discard", data={"csrf_token": auth.csrf_token()}
        ).status_code
        == 409
    )
    spec_page = client.get(f"/admin/checklists/{five_s.id}/edit").text
    assert "Saving makes a new draft version" in spec_page
    assert client.get(f"/admin/checklists/{five_s.id}?version=9").status_code == 404
    assert client.get("/admin/checklists/999999").status_code == 404


@pytest.mark.parametrize("role", ["member", "leader"])
def test_only_admins_shape_checklists(client, auth, db, app, role):
    demo_layout(app)
    auth.login_as(role)
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )
    for path in (
        "/admin/checklists/",
        "/admin/checklists/new",
        f"/admin/checklists/{five_s.id}",
        f"/admin/checklists/{five_s.id}/edit",
    ):
        assert client.get(path).status_code == 403, path
    for step in ("publish", "discard", "duplicate", "retire", "restore", "edit"):
        answer = client.post(
            f"/admin/checklists/{five_s.id}/{step}", data={"csrf_token": auth.csrf_token()}
        )
        assert answer.status_code == 403, step


def test_every_builder_change_needs_the_csrf_token(client, auth, admin, db):
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )
    for step in ("publish", "discard", "duplicate", "retire", "restore", "edit"):
        assert client.post(f"/admin/checklists/{five_s.id}/{step}").status_code == 400, step
    spec = {"name": "Sneaky", "items": [{"prompt": "x"}]}
    assert (
        client.post("/admin/checklists/new", data=editor_form("", spec, kind="custom")).status_code
        == 400
    )
    assert db.session.scalar(sa.select(sa.func.count(ChecklistTemplate.id))) == 3


def test_publishing_a_retired_checklist_says_it_stays_off_the_phones(client, auth, admin, db):
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )
    client.post(f"/admin/checklists/{five_s.id}/duplicate", data={"csrf_token": auth.csrf_token()})
    copy = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.name == "Copy of 5S audit")
    )
    client.post(f"/admin/checklists/{copy.id}/retire", data={"csrf_token": auth.csrf_token()})
    published = client.post(
        f"/admin/checklists/{copy.id}/publish",
        data={"csrf_token": auth.csrf_token()},
        follow_redirects=True,
    )
    assert "It is retired: bring it back into use to send it to phones." in published.text
    assert copy.key not in {t["key"] for t in pack_of(client)["templates"]}


def test_the_editor_carries_a_blank_item_of_its_kind_for_add_item_without_a_reload(
    client, auth, admin, db
):
    page = client.get("/admin/checklists/new?kind=5s").text
    template = page.split('<template id="builder-new-item">')[1].split("</template>")[0]
    assert 'name="item-new-prompt"' in template
    assert re.search(r'<option value="score"\s+selected>', template)
    assert re.search(r'<option value="2"\s+selected>', template)  # a 5S item's usual threshold
    assert "data-builder-add" in page and "data-item-count" in page
    # The blank item is inert until the script clones it: the form posts only the real items.
    assert [i["prompt"] for i in form_of(page)["items"]] == [""]
