"""The translation catalogs hold: every message translated into German, Spanish and
Japanese, placeholders identical to the English ones, nothing marked in the code that the
catalogs lack, and no words left outside the translation functions in the templates that are
translated. A missing string fails here; on a page it shows in English (never an error)."""

from __future__ import annotations

import ast
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment
from jinja2.lexer import TOKEN_DATA

from gemba_walk import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "gemba_walk" / "translations"
LANGUAGES = ("de", "es", "ja")
DOMAINS = ("messages", "js")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")

# The pages whose every word goes through the translation functions (the floor pages first:
# sign-in, account, andon, triage, error pages). The rest follow with the whole-app pass.
FULLY_TRANSLATED = (
    "capture/shell.html",
    "offline.html",
    "_head.html",
    "base.html",
    "users/index.html",
    "auth/login.html",
    "auth/account.html",
    "andon/_page.html",
    "andon/report.html",
    "andon/thanks.html",
    "andon/not_enabled.html",
    "andon/triage.html",
    "errors/error.html",
    "users/form.html",
    "reports/audit.html",
    # phase 2: the floor's everyday pages
    "home.html",
    "tickets/board.html",
    "tickets/_card.html",
    "tickets/card.html",
    "tickets/new.html",
    "reports/dashboard.html",
    "reports/area.html",
    "reports/_walks.html",
    "areas/index.html",
    "areas/show.html",
    "areas/form.html",
    "areas/labels.html",
    "walks/_grid.html",
    "walks/board.html",
    "walks/board_screen.html",
    "walks/plan_form.html",
    "walks/plans.html",
    "walks/show.html",
    "capture/scan.html",
    "capture/outdated_label.html",
    "capture/unknown_label.html",
    "notify/inbox.html",
    "notify/preferences.html",
    "notify/email.html",
    "notify/email.txt",
    # phase 3: the last English pages
    "tickets/show.html",
    "checklists/index.html",
    "checklists/new.html",
    "checklists/show.html",
    "checklists/edit.html",
    "checklists/reach.html",
    "sites/index.html",
    "sites/form.html",
    "_admin_tabs.html",
    "_forms.html",
    "notify/admin.html",
    "notify/webhooks.html",
    "notify/webhook.html",
    "auth/tokens.html",
)


def _catalog(language: str, domain: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        return read_po(handle, locale=language, domain=domain)


def _messages(catalog):
    return [message for message in catalog if message.id]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language, domain):
    catalog = _catalog(language, domain)
    untranslated = [
        message.id
        for message in _messages(catalog)
        if message.fuzzy
        or not message.string
        or (isinstance(message.string, tuple) and not all(message.string))
    ]
    assert untranslated == [], f"{language}/{domain}: untranslated or fuzzy messages"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_the_same_as_in_english(language, domain):
    wrong = []
    for message in _messages(_catalog(language, domain)):
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        expected = _placeholders(ids[-1])  # the plural form names every placeholder
        for string in strings:
            if string and _placeholders(string) != expected:
                wrong.append((ids[0], string))
    assert wrong == [], f"{language}/{domain}: placeholders differ from English"


def _extracted(domain: str) -> set[str]:
    options_map = {}
    if domain == "js":
        method_map = [("static/js/**.js", "javascript")]
        keywords = {"t": None, "N_": None}
        # as babel-js.cfg says: t() inside ${…} of a template literal, no JSX
        options_map = {"static/js/**.js": {"parse_template_string": "true", "jsx": "false"}}
    else:
        method_map = [
            ("gemba_walk/**.py", "python"),
            ("templates/**.html", "jinja2"),
            ("templates/**.txt", "jinja2"),
        ]
        keywords = {
            "_": None,
            "gettext": None,
            "ngettext": (1, 2),
            "_l": None,
            "lazy_gettext": None,
            "N_": None,
        }
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map=method_map, options_map=options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple | list) else message)
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_extraction_finds_nothing_the_catalogs_lack(domain):
    """Run `make messages` after marking new strings, then translate them."""
    extracted = _extracted(domain)
    for language in LANGUAGES:
        known = {
            message.id[0] if isinstance(message.id, tuple | list) else message.id
            for message in _messages(_catalog(language, domain))
        }
        assert sorted(extracted - known) == [], f"{language}/{domain}: run `make messages`"


WORDS = re.compile(r"[^\W\d_]{2,}")
SHOWN_ATTRIBUTES = re.compile(r'\b(?:alt|title|placeholder|aria-label)="([^"{]*)"')


def _bare_words(source: str) -> list[str]:
    """Words of a template that a person reads but no translation function wraps."""
    environment = Environment(extensions=["jinja2.ext.i18n"])  # noqa: S701 — only lexed
    inside_trans = 0
    page = []
    previous_name = ""
    for _lineno, token, value in environment.lex(source):
        if token == "name" and value == "trans":
            inside_trans += 1
        elif token == "name" and value == "endtrans":
            inside_trans -= 1
        # What Jinja writes or translates stands as one mark; plain text stays as it is. A
        # block that names the page's CSS class (body_class) is not read by anyone.
        readable = token == TOKEN_DATA and not inside_trans and previous_name != "body_class"
        page.append(value if readable else "\u2022")
        if token == "name":
            previous_name = value
    text = "".join(page)
    shown = SHOWN_ATTRIBUTES.findall(text)
    text = re.sub(r"<[^>]*>", " ", text)  # tags (with their attributes) are not read
    text = re.sub(r"&\w+;", " ", text)
    return [word for part in [text, *shown] for word in WORDS.findall(part)]


# The precached pages (the capture shell, the offline page) are English HTML for everyone on a
# device: their words are marked data-t (text) or data-t-label (aria-label) and translated on the
# phone from the field pack's js catalog (i18n.translateMarked).
MARKED_TEXT = re.compile(r"(<[^>]*\bdata-t\b[^>]*>)([^<]*)")
MARKED_LABEL = re.compile(r"<[^>]*\bdata-t-label\b[^>]*>")


def _marked_words(source: str) -> list[str]:
    texts = [
        (re.search(r'\bdata-t="([^"]+)"', tag) or re.match(r"(.*)", text.strip())).group(1)
        for tag, text in MARKED_TEXT.findall(source)
    ]
    labels = [
        re.search(r'aria-label="([^"]*)"', tag).group(1) for tag in MARKED_LABEL.findall(source)
    ]
    return [word for word in texts + labels if word]


def _without_marked_words(source: str) -> str:
    source = MARKED_TEXT.sub(lambda match: match.group(1), source)
    return MARKED_LABEL.sub(lambda match: re.sub(r'aria-label="[^"]*"', "", match.group(0)), source)


@pytest.mark.parametrize("template", ["capture/shell.html", "offline.html"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_precached_pages_words_are_in_the_phones_catalog(template, language):
    source = (PROJECT_ROOT / "templates" / template).read_text()
    words = _marked_words(source)
    assert "Outbox" in words
    translated = {
        message.id: message.string
        for message in _messages(_catalog(language, "js"))
        if isinstance(message.id, str)
    }
    assert [word for word in words if not translated.get(word)] == []


@pytest.mark.parametrize("template", FULLY_TRANSLATED)
def test_no_words_left_outside_the_translation_functions(template):
    source = _without_marked_words((PROJECT_ROOT / "templates" / template).read_text())
    # The product's name is not translated.
    words = [word for word in _bare_words(source) if word not in {"Gemba", "Walk"}]
    assert words == [], f"{template}: wrap these in _() or {{% trans %}}"


def test_the_bare_word_check_sees_bare_words():
    assert _bare_words("<p>Hello {{ _('there') }}</p>") == ["Hello"]
    assert _bare_words('<img alt="A photo">') == ["photo"]
    assert _bare_words("{% trans %}Counted{% endtrans %} <b>{{ x }}</b>") == []


# --- Python: no English sentence left outside the translation functions ----------------------

# Three words or more, starting as a sentence does, or as a refusal that names a field
# ("{} is not...", "status must be...").
SENTENCE = re.compile(
    r"(?:“?\{\}”?:? [a-z]+|[A-Z][a-z]*[:,]?|[a-z_]+ (?:is|are|must|has)(?= ))(?: \S+){2,}"
)
TRANSLATING = {"_", "gettext", "ngettext", "lazy_gettext", "_l", "N_", "said", "pgettext"}
# Calls whose words nobody reads in the app: logs, regexes, the CLI's options and output.
NOT_READ = {
    *("debug", "info", "warning", "error", "exception", "critical"),  # logger.*
    *("compile", "fullmatch", "match", "search", "sub"),  # re.*
    *("echo", "secho", "option", "argument", "command", "group", "ClickException"),  # click
}
# Keywords that describe the API or the CLI to developers (OpenAPI, click's help).
DESCRIBING = {"description", "help", "summary"}
# Whole modules that stay English.
ENGLISH_MODULES = (
    "gemba_walk/cli/",  # the command line speaks to the operator, in English
    "gemba_walk/api/openapi.py",  # the API's description, for developers
    "gemba_walk/migrations/",
)
# Single sentences that stay English, each with its reason ("{}" stands for an f-string's value).
ENGLISH_ON_PURPOSE = {
    # for programmers and operators, never shown to a person using the app
    ("gemba_walk/auth/models.py", "Sign a user in through auth.sessions.start_session()."),
    ("gemba_walk/findings/operations.py", "A photo needs a photo store."),
    ("gemba_walk/web/pwa.py", "The app is not built: run `make assets`."),
    ("gemba_walk/core/input_guard.py", "{} is not a JSON number"),  # answered as "bad JSON"
    ("gemba_walk/notify/events.py", "{} is not a walk event"),
    ("gemba_walk/tickets/history.py", "{} is not a kind of ticket history"),
    # a field's refusal for API clients, beside Pydantic's own (English) messages
    ("gemba_walk/core/contract.py", "{} is not one of {}"),
    # names: the product, a certificate's, an e-mail sender's, a CSV column
    ("gemba_walk/core/tls.py", "Gemba Walk (self-signed)"),
    ("gemba_walk/notify/channels/email.py", "Gemba Walk <gemba-walk@{}>"),
    ("gemba_walk/web/reports/views.py", "Scanned at the gemba (UTC)"),
    # a webhook's text for audit.completed (no person is told of it)
    ("gemba_walk/sync/store.py", "{} audit of area {} by {}"),
    # a webhook's pause reason, stored in English, read out by notify.webhooks.pause_reason_read
    ("gemba_walk/notify/webhooks.py", "{} deliveries in a row failed; last: {}"),
}


def _text_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _called(call: ast.Call) -> str:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id
    return function.attr if isinstance(function, ast.Attribute) else ""


def _untranslated_sentences(source: str) -> list[str]:
    """The sentences of a module that no translation function wraps (docstrings, logs,
    regexes and descriptions for developers aside)."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        text = _text_of(node)
        parent = parents.get(node)
        if text is None or not SENTENCE.match(text) or isinstance(parent, ast.Expr | ast.JoinedStr):
            continue
        inner, exempt = node, False
        while inner in parents and not exempt:
            outer = parents[inner]
            exempt = (isinstance(outer, ast.keyword) and outer.arg in DESCRIBING) or (
                isinstance(outer, ast.Call) and _called(outer) in TRANSLATING | NOT_READ
            )
            inner = outer
        if not exempt:
            found.append(text)
    return found


def test_no_english_sentence_left_outside_the_translation_functions():
    left = []
    for path in sorted((PROJECT_ROOT / "gemba_walk").rglob("*.py")):
        module = path.relative_to(PROJECT_ROOT).as_posix()
        if module.startswith(ENGLISH_MODULES):
            continue
        for sentence in _untranslated_sentences(path.read_text()):
            if (module, sentence) not in ENGLISH_ON_PURPOSE:
                left.append(f"{module}: {sentence}")
    assert left == [], "wrap these in _() (or N_ and translate where read)"


def test_the_sentence_check_sees_english_sentences():
    assert _untranslated_sentences('raise WalkError("Choose a layer of this site.")') == [
        "Choose a layer of this site."
    ]
    assert _untranslated_sentences('flash(f"{name} already has a layer called {x}.")') == [
        "{} already has a layer called {}."
    ]
    assert _untranslated_sentences('raise E(f"“{value}” is not a valid {name}.")') != []
    assert _untranslated_sentences('raise E("scanned_at is not an ISO 8601 time.")') != []
    assert _untranslated_sentences('flash(f"Note: “{name}” is not assigned to {areas}.")') != []
    wrapped = (
        'raise WalkError(_("Choose a layer of this site."))\n'
        'logger.info("Plan %s stopped by %s", plan, user)\n'
        'PATTERN = re.compile(r"Seen again (\\d+) times")\n'
        'def view():\n    """Show all the posts, most recent first."""\n'
    )
    assert _untranslated_sentences(wrapped) == []


def test_catalog_files_parse():
    """Every catalog is a catalog Babel reads (a broken quote fails here, not on a page)."""
    for language in LANGUAGES:
        for domain in DOMAINS:
            assert isinstance(_catalog(language, domain).locale_identifier, str)


def test_every_word_the_phone_says_is_in_its_catalog():
    """Babel's JavaScript extractor missed some t('…') calls (inside a
    template literal, after `||`), so German and Japanese phones said them in English. Every
    t('…') or N_('…') with one literal in static/js must be a message of the js catalogs."""
    call = re.compile(r"\b(?:t|N_)\(\s*'((?:[^'\\]|\\.)*)'\s*[,)]")
    for language in LANGUAGES:
        with open(TRANSLATIONS / language / "LC_MESSAGES" / "js.po", "rb") as handle:
            known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle)}
        missing = [
            f"{path.relative_to(PROJECT_ROOT)}: {text}"
            for path in sorted((PROJECT_ROOT / "static" / "js").rglob("*.js"))
            for text in (m.group(1).replace("\\'", "'") for m in call.finditer(path.read_text()))
            if text not in known and text != "English text"  # i18n.js's own doc comment
        ]
        assert missing == [], language


def test_the_verb_open_on_my_walks_is_not_the_status_open(app):
    """ "Open" next to a walk is the verb (Öffnen, 開く), never the ticket status
    (Offen, 未着手): the button reads its own message context."""
    from flask_babel import force_locale, gettext, pgettext

    assert 'pgettext("action", "Open")' in (PROJECT_ROOT / "templates" / "home.html").read_text()
    with app.test_request_context():
        for language, verb in {"de": "Öffnen", "es": "Abrir", "ja": "開く"}.items():
            with force_locale(language):
                assert pgettext("action", "Open") == verb
                assert gettext("Open") != verb
