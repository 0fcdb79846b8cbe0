"""The builder checks a checklist as sent with typed models (pydantic) and tells the person what
to fix in their own language, at the item they count (Item 2, not item-1); input no page sends
(NUL characters, huge numbers, wrong types, thousands of items) gets a clear 4xx, never a 500."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from gemba_walk.checklists.models import ChecklistTemplateVersion
from gemba_walk.checklists.problems import check_spec
from gemba_walk.core import i18n
from tests.factories import demo_layout


@pytest.fixture
def admin(auth, db, app):
    demo_layout(app)
    return auth.login_as("admin")


def builder_form(csrf: str, name: str, items: list[dict], kind: str = "custom") -> dict:
    """What the builder page posts: the checklist's fields and one group of fields per item."""
    data = {"csrf_token": csrf, "action": "save", "kind": kind, "name": name}
    data["item_count"] = str(len(items))
    for index, item in enumerate(items):
        data |= {f"item-{index}-{field}": value for field, value in item.items()}
    return data


def saved_versions(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(ChecklistTemplateVersion.id)))


LINE_CHECK = [
    {"prompt": "Guards closed", "key": "guards", "response_type": "yes_no"},
    {"prompt": "Guard doors locked", "key": "guards", "response_type": "yes_no"},
    {"prompt": "Oil temperature", "response_type": "number", "min_value": "warm"},
    {"prompt": "Floor clean", "response_type": "score", "ticket_threshold": "7"},
]


@pytest.mark.parametrize(
    "language, under_the_fields",
    [
        (
            "de",
            {
                "item-1-key": "Punkt 2: Der Schlüssel „guards“ wird schon von Punkt 1 verwendet. "
                "Jeder Punkt braucht einen eigenen Schlüssel.",
                "item-2-min_value": "„warm“ ist keine Zahl.",
                "item-3-ticket_threshold": "Punkt 4: Die Ticket-Schwelle muss eine ganze "
                "Bewertung von 0 bis 5 sein (oder leer für kein Ticket).",
            },
        ),
        (
            "ja",
            {
                "item-1-key": "項目2: キー「guards」は項目1で使われています。"
                "項目ごとに別のキーが必要です。",
                "item-2-min_value": "「warm」は数値ではありません。",
                "item-3-ticket_threshold": "項目4: チケットのしきい値は0〜5の整数にしてください"
                "(チケット不要なら空欄)。",
            },
        ),
    ],
)
def test_a_broken_checklist_is_refused_in_the_persons_language_under_each_field(
    client, auth, admin, db, language, under_the_fields
):
    before = saved_versions(db)
    answer = client.post(
        "/admin/checklists/new",
        data=builder_form(auth.csrf_token(), "Line check", LINE_CHECK),
        headers={"Accept-Language": language},
    )
    assert answer.status_code == 422
    page = html.unescape(answer.text)
    for field, message in under_the_fields.items():
        assert f'<p class="error" id="{field}-error">{message}</p>' in page, field
        assert f'<a href="#{field}">{message}</a>' in page  # the list of what to fix links it
    assert "is already used by item" not in page and "is not a number" not in page
    assert saved_versions(db) == before


@pytest.mark.parametrize(
    "items, item_count, status, words",
    [
        (  # a NUL character: the edge check names the field before the builder reads it
            [{"prompt": "Floor\0clean", "response_type": "yes_no"}],
            1,
            422,
            {
                "de": "Das Feld „item-0-prompt“ enthält ein NUL-Zeichen (\\0)",
                "ja": "項目「item-0-prompt」に保存できない NUL 文字 (\\0) が含まれています。",
            },
        ),
        (  # past the largest double: infinity is not a number
            [{"prompt": "Air pressure", "response_type": "number", "max_value": "1e999"}],
            1,
            422,
            {"de": "„1e999“ ist keine Zahl.", "ja": "「1e999」は数値ではありません。"},
        ),
        (  # a whole number of 5000 digits
            [{"prompt": "Floor clean", "response_type": "score", "ticket_threshold": "9" * 5000}],
            1,
            422,
            {
                "de": "Punkt 1: Die Ticket-Schwelle muss eine ganze Bewertung von 0 bis 5 sein",
                "ja": "項目1: チケットのしきい値は0〜5の整数にしてください",
            },
        ),
        (  # a way of answering the page never offers
            [{"prompt": "Floor clean", "response_type": "['score']"}],
            1,
            422,
            {
                "de": "Punkt 1: Wählen Sie, wie er beantwortet wird.",
                "ja": "項目1: 回答形式を選んでください。",
            },
        ),
        (  # one item past the most
            [{"prompt": f"Check {n}", "response_type": "yes_no"} for n in range(201)],
            201,
            422,
            {
                "de": "Eine Checkliste hat höchstens 200 Punkte.",
                "ja": "チェックリストの項目は最大200個です。",
            },
        ),
        (  # thousands: refused before any item is read
            [],
            5000,
            400,
            {
                "de": "Eine Checkliste hat höchstens 200 Punkte.",
                "ja": "チェックリストの項目は最大200個です。",
            },
        ),
    ],
    ids=["nul", "huge-number", "huge-threshold", "wrong-type", "one-too-many", "thousands"],
)
@pytest.mark.parametrize("language", ["de", "ja"])
def test_input_no_page_sends_gets_a_clear_answer_in_the_persons_language(
    client, auth, admin, db, items, item_count, status, words, language
):
    before = saved_versions(db)
    data = builder_form(auth.csrf_token(), "Line check", items)
    data["item_count"] = str(item_count)
    answer = client.post("/admin/checklists/new", data=data, headers={"Accept-Language": language})
    assert answer.status_code == status
    assert words[language] in html.unescape(answer.text)
    assert saved_versions(db) == before


FLOOR = {"prompt": "Floor clean", "response_type": "yes_no"}


@pytest.mark.parametrize(
    "sent, place, words",
    [
        (
            {"name": 5, "kind": "custom", "items": [FLOOR]},
            "name",
            {
                "de": "Geben Sie der Checkliste einen Namen.",
                "ja": "チェックリストに名前を付けてください。",
            },
        ),
        (
            {"name": "Line check", "kind": ["5s"], "items": [FLOOR]},
            "kind",
            {
                "de": "Wählen Sie die Art der Checkliste.",
                "ja": "チェックリストの種類を選んでください。",
            },
        ),
        (
            {"name": "Line check", "kind": "custom", "items": "all of them"},
            None,
            {
                "de": "Das Formular ist beschädigt (items). Laden Sie die Seite neu.",
                "ja": "フォームが壊れています(items)。ページを再読み込みしてください。",
            },
        ),
        (
            {"name": "Line check", "kind": "custom", "items": [FLOOR, 42]},
            None,
            {
                "de": "Punkt 2: Das Formular ist beschädigt (item). Laden Sie die Seite neu.",
                "ja": "項目2: フォームが壊れています(item)。ページを再読み込みしてください。",
            },
        ),
        (
            {
                "name": "Line check",
                "kind": "custom",
                "items": [FLOOR | {"photo_required": "maybe"}],
            },
            "item-0-photo_required",
            {
                "de": "Punkt 1: Das Formular ist beschädigt (photo_required). "
                "Laden Sie die Seite neu.",
                "ja": "項目1: フォームが壊れています(photo_required)。"
                "ページを再読み込みしてください。",
            },
        ),
        (
            {"name": "Line check", "kind": "custom", "items": [FLOOR, FLOOR | {"prompt": "a\0"}]},
            "item-1-prompt",
            {
                "de": "Das Feld „item-1-prompt“ enthält ein NUL-Zeichen (\\0), das nicht "
                "gespeichert werden kann. Entfernen Sie es und senden Sie erneut.",
                "ja": "項目「item-1-prompt」に保存できない NUL 文字 (\\0) が含まれています。"
                "削除してから、もう一度送信してください。",
            },
        ),
        (
            {
                "name": "Line check",
                "kind": "custom",
                "items": [{"prompt": "Air", "response_type": "number", "min_value": 1e400}],
            },
            "item-0-min_value",
            {"de": "„inf“ ist keine Zahl.", "ja": "「inf」は数値ではありません。"},
        ),
        (
            {
                "name": "Line check",
                "kind": "5s",
                "items": [
                    {
                        "prompt": "Floor clean",
                        "section": "shine",
                        "response_type": "score",
                        "ticket_threshold": 10**100,
                    }
                ],
            },
            "item-0-ticket_threshold",
            {
                "de": "Punkt 1: Die Ticket-Schwelle muss eine ganze Bewertung von 0 bis 5 sein "
                "(oder leer für kein Ticket).",
                "ja": "項目1: チケットのしきい値は0〜5の整数にしてください(チケット不要なら空欄)。",
            },
        ),
        (
            {"name": "Line check", "kind": "custom", "items": [FLOOR] * 10_000},
            None,
            {
                "de": "Eine Checkliste hat höchstens 200 Punkte.",
                "ja": "チェックリストの項目は最大200個です。",
            },
        ),
        (
            "not a checklist",
            None,
            {
                "de": "Das Formular ist beschädigt (spec). Laden Sie die Seite neu.",
                "ja": "フォームが壊れています(spec)。ページを再読み込みしてください。",
            },
        ),
    ],
    ids=[
        "name-a-number",
        "kind-a-list",
        "items-a-string",
        "item-a-number",
        "photo-maybe",
        "nul",
        "infinity",
        "googol",
        "ten-thousand-items",
        "not-an-object",
    ],
)
@pytest.mark.parametrize("language", ["de", "ja"])
def test_the_checks_read_a_checklist_sent_as_json_and_say_what_is_wrong(
    app, sent, place, words, language
):
    """The same models check a checklist that arrives as JSON: every wrong part has its message
    in the reader's language, where the page would show it; nothing raises."""
    with app.test_request_context(), i18n.force_locale(language):
        checked, problems = check_spec(sent)
    assert checked is None and problems
    if place is None:
        assert words[language] in problems.general
        assert len(problems.messages()) <= 2  # ten thousand items are one message, not 10 000
    else:
        assert problems.fields[place] == words[language]


def test_a_checklist_sent_as_json_is_read_as_the_form_is(app):
    """JSON's own types (numbers, lists, true) are read as the form's strings are."""
    sent = {
        "name": "  Daily safety round ",
        "kind": "custom",
        "items": [
            {"prompt": "Air pressure (bar)", "response_type": "number", "min_value": 6},
            {"prompt": "Guard type", "response_type": "choice", "levels": ["Fixed", "Light"]},
            {"prompt": "Extinguisher", "response_type": "pass_fail", "photo_required": True},
            {"prompt": "Floor clean", "response_type": "score", "ticket_threshold": 2},
        ],
    }
    with app.test_request_context():
        checked, problems = check_spec(sent)
    assert not problems and checked.name == "Daily safety round"
    air, guard, extinguisher, floor = checked.rows()
    assert (air["key"], air["min_value"], air["max_value"]) == ("air-pressure-bar", 6.0, None)
    assert guard["levels"] == ["Fixed", "Light"] and extinguisher["photo_required"]
    assert floor["ticket_threshold"] == 2 and len(floor["levels"]) == 6  # the standard levels
    assert [row["section"] for row in checked.rows()] == ["checklist"] * 4
    assert [row["position"] for row in checked.rows()] == [0, 1, 2, 3]
