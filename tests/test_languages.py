"""Languages: the person's own choice, else the browser's, else English; an unknown
code falls back silently; dates and numbers in the person's locale; the capture shell's words
travel in the field pack so a phone offline still speaks the person's language."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.core import i18n
from gemba_walk.findings.operations import report_problem
from gemba_walk.notify import jobs
from gemba_walk.notify.models import NotifyEvent
from tests.conftest import csrf_token_from
from tests.factories import AreaFactory, TicketFactory, UserFactory, demo_layout


@pytest.mark.parametrize(
    "header, words",
    [
        ("de-DE,de;q=0.9,en;q=0.5", "Anmelden"),
        ("es-MX", "Iniciar sesión"),
        ("ja-JP,ja;q=0.9", "サインイン"),
        ("xx-YY", "Sign in"),  # a language we do not speak: English, no error
        ("", "Sign in"),
    ],
)
def test_the_sign_in_page_speaks_the_browsers_language(client, header, words):
    page = client.get("/login", headers={"Accept-Language": header} if header else {})
    assert page.status_code == 200
    assert f"<h1>{words}</h1>" in page.text


def test_the_persons_choice_wins_over_the_browser(app, client, auth):
    person = UserFactory(language="ja")
    auth.login(person.email)
    page = client.get("/account", headers={"Accept-Language": "de"})
    assert "あなたのアカウント" in page.text and '<html lang="ja"' in page.text


def test_a_stored_language_we_no_longer_speak_falls_back_to_the_browser(app, client, auth):
    person = UserFactory(language="xx")
    auth.login(person.email)
    page = client.get("/account", headers={"Accept-Language": "es"})
    assert page.status_code == 200 and "Su cuenta" in page.text


def test_a_person_picks_a_language_on_the_account_page(app, client, auth):
    person = auth.login_as("member")
    page = client.get("/account")
    assert "日本語" in page.text and "Deutsch" in page.text
    answer = client.post(
        "/account/language",
        data={"csrf_token": csrf_token_from(page.text), "language": "es"},
        follow_redirects=True,
    )
    assert "Idioma guardado." in answer.text
    assert person.language == "es"
    back = client.post(
        "/account/language",
        data={"csrf_token": csrf_token_from(page.text), "language": ""},
        follow_redirects=True,
        headers={"Accept-Language": "de"},
    )
    assert person.language is None and "Sprache gespeichert." in back.text


def test_an_unknown_language_code_is_refused_on_the_form_without_a_500(app, client, auth):
    auth.login_as("member")
    page = client.get("/account")
    answer = client.post(
        "/account/language", data={"csrf_token": csrf_token_from(page.text), "language": "xx"}
    )
    assert answer.status_code == 422 and "Language" in answer.text


def test_error_pages_speak_the_language(client):
    answer = client.get("/no/such/page", headers={"Accept-Language": "es"})
    assert answer.status_code == 404 and "No encontrado" in answer.text


def test_dates_and_numbers_follow_the_locale(app):
    moment = datetime(2026, 11, 26, 7, 49)
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        i18n.refresh_locale()  # the test's app context is shared: choose again, as a request does
        assert i18n.format_datetime(moment) == "2026年11月26日 7:49"
        assert i18n.localise_number("3.5") == "3.5"
    with app.test_request_context(headers={"Accept-Language": "de"}):
        i18n.refresh_locale()
        assert i18n.format_datetime(moment) == "26. Nov. 2026, 07:49"
        assert i18n.localise_number("3.5") == "3,5"
    with app.test_request_context():
        i18n.refresh_locale()
        assert i18n.format_datetime(moment) == "26 Nov 2026, 07:49"  # as before languages
        assert i18n.format_date(moment.date()) == "26 Nov 2026"


def test_the_field_pack_carries_the_shells_words_in_the_persons_language(app, client, auth):
    person = UserFactory(language="ja")
    auth.login(person.email)
    pack = client.get("/api/v1/pack").json
    assert pack["language"] == "ja"
    assert pack["messages"]["Switch person"] == "交代"
    english = UserFactory()
    auth.logout()
    auth.login(english.email)
    pack = client.get("/api/v1/pack").json
    assert (pack["language"], pack["messages"]) == ("en", {})


def test_pages_carry_the_words_their_scripts_need(app, client, auth):
    person = UserFactory(language="de")
    auth.login(person.email)
    page = client.get("/")
    assert 'id="js-messages"' in page.text and "Person wechseln" in page.text


def test_a_message_missing_from_a_catalog_shows_in_english(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        i18n.refresh_locale()
        assert i18n.gettext("A sentence nobody translated yet.") == (
            "A sentence nobody translated yet."
        )
        assert i18n.gettext("Sign in") == "Anmelden"


# --- phase 2: every page of the floor in the person's language ---------------------------------

SCRIPT_WORDS = re.compile(r'<script type="application/json" id="js-messages">.*?</script>', re.S)


def read_as(client, auth, language: str, path: str, role: str = "leader") -> str:
    """The page as a person who chose ``language`` reads it (the browser says English, so the
    person's own choice is what speaks); without the catalog block the page's scripts carry
    (its keys are the English msgids)."""
    person = UserFactory(role=role, language=language)
    auth.login(person.email)
    page = client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200, path
    return SCRIPT_WORDS.sub("", html.unescape(page.text))


def speaks(text: str, words: list[str], english: list[str]) -> None:
    for word in words:
        assert word in text, word
    for sentence in english:
        assert sentence not in text, sentence


@pytest.mark.parametrize(
    "language, words",
    [
        ("de", ["Schön, Sie zu sehen", "Neueste Rundgänge", "offene Kaizen-Tickets"]),
        ("es", ["Qué bueno verle", "Recorridos recientes", "tickets kaizen abiertos"]),
        ("ja", ["こんにちは", "最近の巡回", "未完了の改善チケット"]),
    ],
)
def test_the_home_page_speaks_the_persons_language(app, client, auth, language, words):
    AreaFactory()
    text = read_as(client, auth, language, "/")
    speaks(
        text,
        words,
        ["Good to see you", "No walks yet. Scan an area's QR label to start one.", "owned by you"],
    )


@pytest.mark.parametrize(
    "language, words",
    [
        ("de", ["Kaizen-Tafel", "Titel, Problem oder Nummer suchen", "Überfällig"]),
        ("es", ["Tablero kaizen", "Buscar título, problema o número", "Vencido"]),
        ("ja", ["改善ボード", "タイトル・問題・番号で検索", "期限切れ"]),
    ],
)
def test_the_kaizen_board_and_the_report_form_speak_the_language(
    app, client, auth, language, words
):
    TicketFactory(due_date=date(2020, 1, 6))  # long overdue
    text = read_as(client, auth, language, "/tickets/")
    speaks(text, words, ["Search title, problem or number", "Report a problem", "Not closed"])
    form = SCRIPT_WORDS.sub("", html.unescape(client.get("/tickets/new").text))
    assert "What did you see? What should it be?" not in form
    assert "Report — open a ticket" not in form


@pytest.mark.parametrize(
    "language, words, chart_label",
    [
        ("de", ["Offene Tickets nach Alter", "Aktueller 5S-Wert jedes Bereichs"], "Offene Tickets"),
        ("es", ["Tickets abiertos por antigüedad", "Última puntuación 5S"], "Tickets abiertos"),
        ("ja", ["経過日数別の未完了チケット", "各エリアの最新 5S 点数"], "未完了のチケット"),
    ],
)
def test_insight_and_its_charts_speak_the_language(app, client, auth, language, words, chart_label):
    area = AreaFactory()
    text = read_as(client, auth, language, "/insight/")
    speaks(text, words, ["Open tickets by age", "Latest 5S score of each area", "Areas slipping"])
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', text, re.S).group(1))
    assert charts["chart-ageing"]["label"] == chart_label
    assert "up to a week" not in charts["chart-ageing"]["labels"]
    one_area = SCRIPT_WORDS.sub("", html.unescape(client.get(f"/insight/areas/{area.id}").text))
    assert (
        "5S now and before" not in one_area and "Nobody has walked this area yet." not in one_area
    )


def test_insights_lowest_5s_items_read_in_the_language(app, db, client, auth):
    """The 5S items that score lowest name our own questions in the reader's language."""
    import uuid

    from gemba_walk.audits.models import Response
    from tests.factories import AuditFactory

    audit = AuditFactory()
    item = audit.template_version.items[0]
    db.session.add(Response(uuid=str(uuid.uuid4()), audit=audit, item=item, score=1))
    db.session.commit()
    english = item.prompt
    text = read_as(client, auth, "es", "/insight/")
    with app.test_request_context(), i18n.force_locale("es"):
        spanish = i18n.gettext(english)
    assert spanish != english
    speaks(text, [spanish], [english])


@pytest.mark.parametrize(
    "language, words",
    [
        ("de", ["Bereiche", "Nach Code, Name oder Beschreibung suchen", "Letztes Audit"]),
        ("es", ["Áreas", "Buscar por código, nombre o descripción", "Última auditoría"]),
        ("ja", ["エリア", "コード・名前・説明で検索", "前回の監査"]),
    ],
)
def test_the_area_pages_speak_the_language(app, client, auth, language, words):
    area = AreaFactory()
    text = read_as(client, auth, language, "/areas/", role="admin")
    text += SCRIPT_WORDS.sub("", html.unescape(client.get(f"/areas/{area.id}").text))
    speaks(
        text,
        words,
        ["Search by code, name or description", "No open tickets in this area.", "Archive area"],
    )


@pytest.mark.parametrize(
    "language, words",
    [
        ("de", ["Rundgangstafel", "Nicht geplant", "Was die Karten bedeuten"]),
        ("es", ["Tablero de recorridos", "No planificado", "Qué significan las tarjetas"]),
        ("ja", ["巡回ボード", "計画なし", "カードの意味"]),
    ],
)
def test_the_kamishibai_board_and_walk_plans_speak_the_language(app, client, auth, language, words):
    AreaFactory()
    text = read_as(client, auth, language, "/walks/board")
    text += SCRIPT_WORDS.sub("", html.unescape(client.get("/walks/plans").text))
    speaks(
        text,
        words,
        ["Print on A3 landscape for the wall", "No walk plans yet.", "Put a person in a layer"],
    )


@pytest.mark.parametrize(
    "language, words",
    [
        ("de", ["Bereichsetikett scannen", "Kamera starten", "Etikett beschädigt?"]),
        ("es", ["Escanear la etiqueta de un área", "Iniciar cámara", "¿Etiqueta dañada?"]),
        ("ja", ["エリアのラベルをスキャン", "カメラを起動", "ラベルが読めない"]),
    ],
)
def test_the_scan_page_speaks_the_language(app, client, auth, language, words):
    text = read_as(client, auth, language, "/scan", role="member")
    speaks(text, words, ["Scan an area label", "Label damaged? Type the code", "Start camera"])
    unknown = client.get("/a/not-a-real-token-at-all-0123456789")  # a label we do not know
    assert unknown.status_code == 404
    assert "We don’t know this label" not in SCRIPT_WORDS.sub("", html.unescape(unknown.text))
    assert f'<html lang="{language}"' in unknown.text


@pytest.mark.parametrize(
    "language, opened, words",
    [
        ("de", "eröffnet: ", ["Ruhe ab", "Ruhezeit (Werkszeit)"]),
        ("es", "abierto: ", ["Silencio desde", "Horas de silencio"]),
        ("ja", "起票:", ["おやすみ開始", "おやすみ時間"]),
    ],
)
def test_notifications_read_in_the_readers_language(app, db, client, auth, language, opened, words):
    """A notification is written once; each reader reads it in their own language."""
    leader = UserFactory(role="leader", language=language)
    area = AreaFactory(owner=leader)
    reporter = UserFactory(role="member")
    ticket = report_problem(
        reporter, area_id=area.id, category="safety", severity="medium", description="Oil leak"
    ).ticket
    jobs.run_pending()
    jobs.run_pending()
    number = ticket.display_number
    auth.login(leader.email)
    inbox = html.unescape(client.get("/notifications").text)
    assert f"{number} {opened}Oil leak" in inbox
    assert f"{number} opened: " not in inbox
    preferences = SCRIPT_WORDS.sub("", html.unescape(client.get("/notifications/preferences").text))
    speaks(
        preferences,
        words,
        [
            "Quiet hours (plant local time)",
            "What reaches you where",
            "A ticket is opened in your area",
        ],
    )
    # stored once, in English (webhooks and the admin read that), with what says it again
    event = db.session.scalar(sa.select(NotifyEvent).where(NotifyEvent.kind == "ticket.opened"))
    assert event.message == f"{number} opened: Oil leak"
    with i18n.force_locale("en"):
        assert i18n.event_message(event) == f"{number} opened: Oil leak"


@pytest.mark.parametrize(
    "language, words, started",
    [
        (
            "de",
            ["Nächster Schritt", "Vorher und nachher", "Wer bestätigt:", "Grundursache"],
            "Arbeit begonnen.",
        ),
        (
            "es",
            ["Siguiente paso", "Antes y después", "Quién verifica:", "Causa raíz"],
            "Trabajo empezado.",
        ),
        ("ja", ["次のステップ", "改善前と改善後", "確認する人:", "真因"], "作業を開始しました。"),
    ],
)
def test_the_ticket_page_and_its_steps_speak_the_language(
    app, client, auth, language, words, started
):
    """The ticket page, its PDCA form, who verifies, and the words after a step is taken."""
    ticket = TicketFactory(title="Guard loose")
    path = f"/tickets/{ticket.number}"
    text = read_as(client, auth, language, path)
    speaks(
        text,
        words,
        [
            "Take it and start work",
            "5 Whys — ask “why?” until you reach the root cause",
            "a leader or admin who does not own the ticket verifies it",
            "Print kaizen card",
        ],
    )
    token = csrf_token_from(client.get(path).text)
    moved = client.post(
        f"{path}/status", data={"action": "start", "csrf_token": token}, follow_redirects=True
    )
    page = html.unescape(moved.text)
    assert started in page and "Work started." not in page
    assert "Guard loose" in page  # what people wrote stays as written
    refused = client.post(
        f"{path}/status",
        data={"action": "done", "csrf_token": csrf_token_from(page)},
    )
    assert refused.status_code == 422
    refusal = html.unescape(refused.text)
    assert "Write the countermeasure before marking done." not in refusal
    assert "Not changed." not in refusal


@pytest.mark.parametrize(
    "language, words",
    [
        ("de", ["Checklisten", "Was die Telefone bekommen", "Entwurf speichern", "Wo sie gilt"]),
        ("es", ["Listas de verificación", "Qué reciben los teléfonos", "Guardar borrador"]),
        ("ja", ["チェックリスト", "スマホに届くもの", "下書きを保存", "適用先"]),
    ],
)
def test_the_checklist_builder_speaks_the_language(app, client, auth, db, language, words):
    """The list, one checklist, its editor and where it applies, and a refusal's reasons."""
    demo_layout(app)
    template = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )
    base = f"/admin/checklists/{template.id}"
    text = read_as(client, auth, language, "/admin/checklists/", role="admin")
    for path in (base, f"{base}/edit", f"{base}/reach", "/admin/checklists/new"):
        text += SCRIPT_WORDS.sub("", html.unescape(client.get(path).text))
    speaks(
        text,
        words,
        [
            "Phones receive each checklist's published version with their field data.",
            "Score levels or choices, one per line",
            "What kind of checklist is it?",
            "Key and help text",
        ],
    )
    refused = client.post(
        f"{base}/edit",
        data={
            "csrf_token": csrf_token_from(client.get(f"{base}/edit").text),
            "name": "",
            "item_count": "0",
            "action": "save",
        },
    )
    assert refused.status_code == 422
    assert "Give the checklist a name." not in html.unescape(refused.text)


@pytest.mark.parametrize(
    "language, words",
    [
        (
            "de",
            [
                "Standort anlegen",
                "Benachrichtigungskanäle",
                "Endpunkt registrieren",
                "Ihr neues Token",
                "Ein Kaizen-Ticket wird eröffnet",
                "Verwaltung",
            ],
        ),
        (
            "es",
            [
                "Añadir planta",
                "Canales de notificación",
                "Registrar un endpoint",
                "Su nuevo token",
                "Se abre un ticket kaizen",
                "Administración",
            ],
        ),
        (
            "ja",
            [
                "拠点を追加",
                "通知チャネル",
                "エンドポイントを登録",
                "新しいトークン",
                "改善チケットが起票される",
                "管理",
            ],
        ),
    ],
)
def test_sites_notification_admin_webhooks_and_tokens_speak_the_language(
    app, client, auth, language, words
):
    """The admin's sites, notification channels, webhooks and API tokens pages."""
    AreaFactory()
    text = read_as(client, auth, language, "/admin/sites/", role="admin")
    for path in ("/admin/sites/new", "/admin/notifications", "/admin/webhooks"):
        text += SCRIPT_WORDS.sub("", html.unescape(client.get(path).text))
    made = client.post(
        "/account/tokens",
        data={
            "csrf_token": csrf_token_from(client.get("/account/tokens").text),
            "name": "Power BI",
            "scope": "read",
        },
    )
    assert made.status_code == 200
    text += SCRIPT_WORDS.sub("", html.unescape(made.text))
    speaks(
        text,
        words,
        [
            "Notification channels",
            "Register an endpoint",
            "Copy it now: it is kept only as a hash and will not be shown again.",
            "A kaizen ticket is opened",
        ],
    )


def test_the_offline_page_takes_its_words_from_the_phones_pack(app, client, auth):
    """The offline page is precached once for everyone on a device: its HTML stays English and
    each word marked data-t is in the pack's catalog, which offline.js applies on the phone.
    (The script itself runs in a browser; this checks the words and the wiring.)"""
    page = client.get("/offline", headers={"Accept-Language": "de"}).text
    assert re.search(r'<script type="module" src="/static/dist/offline-\w+\.js">', page)
    marked = [html.unescape(text) for text in re.findall(r"<[^>]* data-t>([^<]+)<", page)]
    assert "You are offline" in marked and len(marked) == 4
    for language, offline in (
        ("de", "Sie sind offline"),
        ("es", "Está sin conexión"),
        ("ja", "オフラインです"),
    ):
        catalog = i18n.js_messages(language)
        assert all(catalog.get(text) for text in [*marked, "Offline"]), language
        person = UserFactory(language=language)
        auth.login(person.email)
        pack = client.get("/api/v1/pack").json
        assert pack["messages"]["You are offline"] == offline
        auth.logout()


@pytest.mark.parametrize(
    "language, opened, footer",
    [
        ("de", "eröffnet: ", "Benachrichtigungen einstellen"),
        ("es", "abierto: ", "Preferencias de notificación"),
        ("ja", "起票:", "通知の設定"),
    ],
)
def test_an_email_reaches_its_recipient_in_their_language(app, db, smtp, language, opened, footer):
    leader = UserFactory(role="leader", language=language, email="lia@plant.example")
    area = AreaFactory(owner=leader)
    reporter = UserFactory(role="member", language="en")
    ticket = report_problem(
        reporter, area_id=area.id, category="safety", severity="medium", description="Oil leak"
    ).ticket
    jobs.run_pending()
    jobs.run_pending()
    mail = smtp.mailbox.wait_for(1)[0]
    assert mail["To"] == "lia@plant.example"
    assert mail["Subject"] == f"{ticket.display_number} {opened}Oil leak"
    text = mail.get_body(("plain",)).get_content()
    body = mail.get_body(("html",)).get_content()
    assert footer in text and footer in html.unescape(body)
    assert f'<html lang="{language}">' in body
    assert "Choose what reaches you by e-mail" not in text


@pytest.mark.browser
@pytest.mark.parametrize("language, umwelt, hoch", [("de", "Umwelt", "Hoch"), ("ja", "環境", "高")])
def test_the_capture_shells_sync_messages_speak_the_persons_language(
    app, db, runner, live_server, page, tmp_path, language, umwelt, hoch
):
    """A record waits in the outbox; the server answers 500; the phone says so, and when it tries
    again, in the person's language (the words came with the field pack)."""
    from gemba_walk.areas.models import Area
    from tests.factories import DEFAULT_PASSWORD, demo_plant
    from tests.photo_tools import camera_jpeg
    from tests.pwa_tools import outbox_states, wait_for_service_worker

    demo_plant(runner)
    leader = UserFactory(role="leader", language=language)
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-20"))
    words = i18n.js_messages(language)
    photo = tmp_path / "leak.jpg"
    photo.write_bytes(camera_jpeg(1200, 900, orientation=1))

    page.goto(f"{live_server}/login")
    page.locator("input[name=email]").fill(leader.email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/capture/drafts")
    wait_for_service_worker(page)
    updated = words["Updated %(when)s"].split("%")[0].strip()
    page.locator(f"#pack-age:has-text('{updated}')").wait_for()

    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{area.qr_token}")
    page.get_by_role("link", name=words["Report abnormality"]).click()
    page.wait_for_url("**/capture/draft/*")
    page.get_by_role("radio", name=umwelt, exact=True).check()
    page.get_by_role("radio", name=hoch, exact=True).check()
    page.locator(".item textarea").first.fill("Guard missing on belt")
    page.locator("input[type=file]").set_input_files(str(photo))
    page.locator("img.thumb").wait_for()
    page.get_by_role("button", name=words["Submit — send when online"]).click()
    page.wait_for_url("**/capture/outbox*")
    page.get_by_text(words["Waiting to sync"]).first.wait_for()

    page.route(
        "**/api/v1/sync",
        lambda route: route.fulfill(status=500, body="Server Error"),
        times=1,
    )
    page.context.set_offline(False)
    page.wait_for_function("() => document.documentElement.dataset.sync === 'idle'", timeout=20_000)
    assert outbox_states(page) == ["waiting"]
    entry = page.locator(".outbox-entry").inner_text()
    assert words["The server had a problem; will retry."] in entry
    assert words["Next try in %(seconds)s s."].split("%")[0].strip() in entry
    assert "will retry" not in entry and "Next try" not in entry
    assert page.locator("html").get_attribute("lang") == language


@pytest.mark.browser
@pytest.mark.parametrize("language", ["de", "es", "ja"])
def test_the_translated_pages_hold_at_360_px_in_each_language(
    app, db, runner, live_server, browser, screenshot, language
):
    """German words are long, Spanish sentences longer, Japanese has no spaces to break at: the
    everyday pages still fit a 360 px phone, their buttons a thumb (screenshots under
    tests/artifacts/ to look at)."""
    from gemba_walk.areas.models import Area
    from gemba_walk.tickets.models import KaizenTicket
    from tests.browser_checks import no_horizontal_scroll, small_touch_targets, too_wide
    from tests.factories import DEFAULT_PASSWORD, demo_plant

    demo_plant(runner)
    leader = UserFactory(role="admin", language=language)
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-20"))
    ticket = db.session.scalar(sa.select(KaizenTicket.number).order_by(KaizenTicket.id).limit(1))
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.locator("input[name=email]").fill(leader.email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{live_server}/")
    pages = {
        "home": "/",
        "kaizen-board": "/tickets/",
        "insight": "/insight/",
        "area": f"/areas/{area.id}",
        "walk-board": "/walks/board",
        "notification-choices": "/notifications/preferences",
        "ticket": f"/tickets/{ticket}",
        "report-problem": "/tickets/new",
        "account": "/account",
        "users": "/admin/users/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server}{path}")
        assert page.locator("html").get_attribute("lang") == language
        screenshot(page, f"languages-{name}-360-{language}")
        assert no_horizontal_scroll(page), (path, too_wide(page))
        assert small_touch_targets(page) == [], path
    # Insight's Pareto and lowest-items tables fit their cards: nothing to swipe for.
    page.goto(f"{live_server}/insight/")
    assert (
        page.evaluate(
            """[...document.querySelectorAll('table.pareto, table.low-items')]
            .filter((table) => table.getBoundingClientRect().right
                               > table.closest('.card').getBoundingClientRect().right)
            .map((table) => table.className)"""
        )
        == []
    )
    context.close()


@pytest.mark.browser
def test_offline_a_page_not_on_the_phone_says_so_in_the_persons_language(
    app, db, live_server, page
):
    """The offline page is one precached file for the whole device; its words come from the
    field pack of the person whose pack the phone holds (German here)."""
    from tests.conftest import sign_in_in_browser
    from tests.pwa_tools import wait_for_service_worker

    leader = UserFactory(role="leader", language="de")
    words = i18n.js_messages("de")
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/capture/drafts")
    wait_for_service_worker(page)
    updated = words["Updated %(when)s"].split("%")[0].strip()
    page.locator(f"#pack-age:has-text('{updated}')").wait_for()
    # The capture shell's own words (its HTML is English for everyone on the device) too.
    nav = page.get_by_role("navigation", name=words["Main"])
    expect(nav.get_by_role("link", name=words["Drafts"])).to_be_visible()
    page.context.set_offline(True)
    page.goto(f"{live_server}/insight/areas/999999")  # never opened on this phone
    expect(page.get_by_role("heading", level=1)).to_have_text(words["You are offline"])
    expect(page.get_by_role("link", name=words["Outbox"])).to_be_visible()
    assert page.title().startswith(words["Offline"])
    assert words["You are offline"] != "You are offline"


@pytest.mark.parametrize(
    "language, seen_again, photo",
    [
        ("de", "Erneut gesehen (2. Auftreten): Ölleck", "Ein „Nachher“-Foto hinzugefügt."),
        ("ja", "再び発見（2 回目）: Ölleck", "「改善後」の写真を追加しました。"),
    ],
)
def test_the_tickets_history_reads_in_the_readers_language(
    app, db, client, auth, language, seen_again, photo
):
    from gemba_walk.tickets import history

    ticket = TicketFactory()
    history.record(ticket, "seen_again", None, occurrence=2, text="Ölleck")
    history.record(ticket, "after_photo", None)
    db.session.commit()
    text = read_as(client, auth, language, f"/tickets/{ticket.number}")
    speaks(text, [seen_again, photo], ["Seen again (", "Added an “after” photo."])
    auth.logout()
    english = read_as(client, auth, "en", f"/tickets/{ticket.number}")
    assert "Seen again (occurrence 2): Ölleck" in english


def test_a_more_serious_occurrence_is_stored_as_data_and_read_in_each_language(
    app, db, client, auth, api
):
    """A Japanese-speaking leader reports the same problem again, now critical: the history keeps
    what changed (severities as keys, days as ISO dates), and each reader reads it in their own
    language, dates in their own format."""
    from gemba_walk.tickets.models import TicketEvent
    from tests.sync_batches import batch, finding

    area = AreaFactory()
    auth.login(UserFactory(role="leader", language="ja").email)

    def report(**fields) -> str:
        answer = api.sync(batch(findings=[finding({"id": area.id}, **fields)]))
        assert answer.status_code == 200, answer.json
        return answer.json["findings"][0]["ticket"]["number"]

    number = report(severity="low", observed_at="2026-11-02T08:00:00Z")
    report(severity="critical", observed_at="2026-11-05T08:00:00Z", same_as_ticket=number)
    auth.logout()
    stored = sa.select(TicketEvent.data).where(TicketEvent.kind == "severity_raised")
    assert db.session.scalars(stored).one() == {
        "severity": ["low", "critical"],
        "due_date": ["2026-11-16", "2026-11-06"],
    }
    event = (
        "A more serious occurrence: severity raised from Low to Critical / safety. "
        "Due date brought forward to 06 Nov 2026 (was 16 Nov 2026)."
    )
    german = read_as(client, auth, "de", f"/tickets/{int(number[3:])}")
    speaks(
        german,
        [
            "Ein schwereres Auftreten: Schweregrad von Niedrig auf Kritisch / Sicherheit erhöht.",
            "Fälligkeit vorgezogen auf 6. Nov. 2026 (war 16. Nov. 2026).",
        ],
        ["A more serious occurrence", "brought forward"],
    )
    auth.logout()
    english = read_as(client, auth, "en", f"/tickets/{int(number[3:])}")
    assert event in english


def test_a_notifications_days_and_our_checklist_names_read_in_the_readers_language(
    app, db, client, auth
):
    """An overdue ticket and a missed 5S walk are told once, in English for the record; a
    German owner reads the due day as German writes it and the default checklist by its
    German name (a checklist an admin named stays as named)."""
    from datetime import timedelta

    from gemba_walk.checklists.defaults import ensure_default_templates
    from gemba_walk.core.localtime import local_today
    from gemba_walk.walks import operations as walks

    ensure_default_templates()
    owner = UserFactory(role="leader", language="de", name="Dora")
    area = AreaFactory(owner=owner, code="A-7", name="Presse")
    due = local_today(area.site.timezone) - timedelta(days=1)
    ticket = TicketFactory(area=area, owner=owner, title="Ölleck", due_date=due)
    db.session.commit()
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )
    walks.create_plan(
        area.site,
        walks.PlanDetails(
            name="Täglich 5S",
            template_id=five_s.id,
            frequency="daily",
            area_ids=[area.id],
            person_ids=[owner.id],
            weekdays="0123456",
            starts_on=local_today(area.site.timezone) - timedelta(days=4),
        ),
    )
    assert jobs.check_due() >= 1
    assert jobs.check_walks() >= 1
    jobs.run_pending()

    stored = [event.message for event in db.session.scalars(sa.select(NotifyEvent))]
    english_day = f"{due:%d %b}"
    assert f"{ticket.display_number} is overdue (due {english_day}): Ölleck" in stored
    assert any(
        m.startswith("A planned walk was missed (") and m.endswith(": 5S audit") for m in stored
    )

    auth.login(owner.email)
    inbox = SCRIPT_WORDS.sub("", html.unescape(client.get("/notifications").text))
    with app.test_request_context(), i18n.force_locale("de"):
        german_day = i18n.format_day_month(due)
        german_five_s = i18n.gettext("5S audit")
    assert german_five_s != "5S audit"
    speaks(
        inbox,
        [f"(fällig {german_day})", f"A-7 · Presse: {german_five_s}"],
        [english_day, ": 5S audit"],
    )


def test_a_ticket_opened_by_a_low_5s_score_reads_in_the_language(app, db, client, auth, api):
    """A 5S item scored 1 with no finding written: the server makes the finding and its ticket
    "<question> — scored 1", stored in English; a German reader reads our question and the score
    in German on the board, the ticket, the phone's pack and the notification, an English one as
    stored (the editable problem statement stays as stored)."""
    from gemba_walk.checklists.defaults import ensure_default_templates
    from gemba_walk.tickets.models import KaizenTicket
    from tests.sync_batches import batch, five_s_audit

    ensure_default_templates()
    AreaFactory()
    db.session.commit()
    auth.login(UserFactory(role="leader", language="de").email)
    pack = client.get("/api/v1/pack").json
    audit = five_s_audit(pack, pack["areas"][0], [4])
    audit["responses"][0]["score"] = 1
    assert api.sync(batch([audit])).status_code == 200
    ticket = db.session.scalars(sa.select(KaizenTicket)).one()
    with app.test_request_context(), i18n.force_locale("de"):
        question = i18n.gettext(ticket.title.removesuffix(" — scored 1"))
    assert ticket.title.endswith(" — scored 1") and not question.endswith("scored 1")
    german = f"{question} — mit 1 bewertet"
    for path in ("/tickets/", f"/tickets/{ticket.number}"):
        page = SCRIPT_WORDS.sub("", html.unescape(client.get(path).text))
        # The team's problem statement and title start as the finding's words, as stored: what
        # the team edits and saves is what it sees.
        page = re.sub(r"<textarea[^>]*>.*?</textarea>", "", page, flags=re.S)
        page = re.sub(r'<input[^>]*name="title"[^>]*>', "", page)
        speaks(page, [german], [ticket.title])
    phone = client.get("/api/v1/pack").json
    assert [t["title"] for area in phone["areas"] for t in area["open_tickets"]] == [german]
    # The area owner's notification names it the same way; the record keeps the English.
    opened = db.session.scalar(sa.select(NotifyEvent).where(NotifyEvent.kind == "ticket.opened"))
    assert opened.message == f"{ticket.display_number} opened: {ticket.title}"
    with app.test_request_context(), i18n.force_locale("de"):
        assert i18n.event_message(opened) == f"{ticket.display_number} eröffnet: {german}"
    auth.logout()
    english = read_as(client, auth, "en", f"/tickets/{ticket.number}")
    assert ticket.title in english


# --- the server's own sentences: refusals, advice, the history ------------------------------


def test_a_walk_plan_refused_reads_in_the_admins_language(app, db, client, auth):
    """A German admin plans a walk and forgets the areas: the reason reads German on the page."""
    from gemba_walk.checklists.defaults import ensure_default_templates
    from gemba_walk.walks import operations
    from tests.factories import SiteFactory

    ensure_default_templates()
    site = SiteFactory(name="Werk Berlin", timezone="Europe/Berlin")
    layer = operations.create_layer(site, "Meister", 2)
    checklist = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )
    auth.login(UserFactory(role="admin", language="de").email)
    token = auth.csrf_token(f"/walks/plans?site={site.id}")
    refused = client.post(
        f"/walks/plans/new?site={site.id}",
        data={
            "csrf_token": token,
            "name": "Nachtrundgang",
            "template_id": checklist.id,
            "frequency": "daily",
            "layer_id": layer.id,
            "starts_on": date.today().isoformat(),
        },
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 422
    speaks(
        html.unescape(refused.text),
        ["Wählen Sie mindestens einen Bereich: Ein Plan ohne Bereiche plant nichts."],
        ["Choose at least one area", "plans nothing"],
    )


def test_password_advice_reads_in_the_persons_language(app, client, auth):
    """zxcvbn writes its advice in English; a Japanese person reads all of it in Japanese."""
    auth.login(UserFactory(language="ja").email)
    page = client.get("/account")
    answer = client.post(
        "/account/password",
        data={
            "current_password": "correct-horse-battery",
            "new_password": "Summer2024!",
            "confirm": "Summer2024!",
            "csrf_token": csrf_token_from(page.text),
        },
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 422
    speaks(
        html.unescape(answer.text),
        [
            "このパスワードは推測されやすすぎます。",
            "これはよく使われるパスワードに似ています。",  # zxcvbn's warning
            "関係のない単語を3つか4つ並べると強いパスワードになります。",
        ],
        ["too easy to guess", "similar to a commonly used password", "unrelated words"],
    )


def test_password_advice_zxcvbn_adds_later_reads_as_written(app):
    from gemba_walk.auth.operations import _advice_read

    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert _advice_read("Avoid sequences.") == "Vermeiden Sie Folgen."
        assert _advice_read("A sentence zxcvbn 5 might add.") == "A sentence zxcvbn 5 might add."


def test_a_refused_sync_answers_in_the_phone_users_language(app, db, client, auth, api):
    """A German member's phone sends an empty finding: the refusal the outbox shows is German."""
    from tests.sync_batches import batch, finding

    area = AreaFactory()
    auth.login(UserFactory(role="member", language="de").email)
    empty = finding({"id": area.id}, description="   ", photo_uuids=[])
    answer = api.sync(batch(findings=[empty]))
    assert answer.status_code == 422
    error = answer.json["error"]
    assert error["code"] == "invalid_records"
    assert error["message"] == "Einige Datensätze sind ungültig."
    assert error["details"] == [
        {
            "record": f"finding {empty['uuid']}",
            "message": "Dieser Befund ist leer: Beschreiben Sie, was Sie gesehen haben, "
            "oder fügen Sie ein Foto davon hinzu.",
        }
    ]


@pytest.mark.parametrize(
    "language, without_scan, at_the_gemba, took",
    [
        (
            "es",
            "Verificado sin escanear la etiqueta. Se mantiene desde hace una semana.",
            "Verificado en el gemba (etiqueta escaneada el 26 nov 08:33 UTC). "
            "Verificado por el propio responsable",
            "Lee Leader tomó el ticket.",
        ),
        (
            "en",
            "Verified without a label scan. Se mantiene desde hace una semana.",
            "Verified at the gemba (label scanned 26 Nov 08:33 UTC). Self-verified by the owner",
            "Lee Leader took the ticket.",
        ),
    ],
)
def test_a_verification_stored_as_data_reads_in_the_readers_language(
    app, db, client, auth, language, without_scan, at_the_gemba, took
):
    """The history keeps how a fix was verified as data; a Spanish reader reads it in Spanish,
    the leader's own words as they wrote them."""
    from gemba_walk.tickets import history

    ticket = TicketFactory()
    moved = {"from": "done", "to": "verified"}
    history.record(
        ticket, "taken", None, **{"from": "open", "to": "in_progress"}, name="Lee Leader"
    )
    history.record(
        ticket,
        "verified",
        None,
        **moved,
        how="no_scan",
        result="Se mantiene desde hace una semana.",
    )
    history.record(
        ticket,
        "verified",
        None,
        **moved,
        how="scan",
        scanned_at="2026-11-26T08:33:10",
        self_verified=True,
    )
    db.session.commit()
    text = read_as(client, auth, language, f"/tickets/{ticket.number}")
    english = [] if language == "en" else ["Verified without", "Verified at the gemba", "took the"]
    speaks(text, [without_scan, at_the_gemba, took], english)


def test_a_refused_pdca_step_is_named_as_the_step_not_as_the_5s_pillar(app, db):
    """ "Standardize" is the 5S pillar's word (Seiketsu, 清潔); the PDCA step it also names is
    called "the standardize step" in a refusal, so Japanese says 標準化, not 清潔."""
    from gemba_walk.tickets import workflow

    owner = UserFactory(role="member", language="ja")
    ticket = TicketFactory(owner=owner, status="in_progress")
    db.session.commit()
    too_long = {"standardize": "x" * (workflow.MAX_TEXT + 1)}

    def refusal(language: str) -> str:
        with (
            app.test_request_context(),
            i18n.force_locale(language),
            pytest.raises(workflow.TicketError) as refused,
        ):
            workflow.update_pdca(ticket, owner, too_long)
        return refused.value.message

    japanese = refusal("ja")
    assert "標準化" in japanese and "清潔" not in japanese
    assert refusal("en").startswith("The standardize step is longer than")
