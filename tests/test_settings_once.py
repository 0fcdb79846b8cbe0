"""Every setting has its default in one place, gemba_walk/config.py; code reads
``current_app.config["X"]``. A second default written where a setting is read (``config.get("X",
300)``, ``config.get("X") or 300``, ``config.setdefault("X", …)``) drifts from the first the day
one of them changes, so this test lists every such read in the package."""

from __future__ import annotations

import re
from pathlib import Path

from gemba_walk.config import Defaults

PACKAGE = Path(__file__).resolve().parent.parent / "gemba_walk"
# Reading the environment is config.py's own job; everything else reads the app's config.
READS_ENVIRONMENT = {PACKAGE / "config.py"}
SETTING = r"""["'][A-Z][A-Z0-9_]+["']"""
SECOND_DEFAULTS = [
    # config.get("X", default) — on app.config, current_app.config or a config passed in
    re.compile(rf"config\.get\(\s*{SETTING}\s*,"),
    # config.get("X") or default, and config.get("X") (None when it is missing: a default too)
    re.compile(rf"config\.get\(\s*{SETTING}\s*\)"),
    # config.setdefault("X", default)
    re.compile(rf"config\.setdefault\(\s*{SETTING}"),
    # a module's own reader with a default: _setting("X", 30)
    re.compile(rf"_setting\(\s*{SETTING}\s*,"),
]


def second_defaults() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in READS_ENVIRONMENT:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in SECOND_DEFAULTS:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {match.group(0)}")
    return found


def test_no_setting_is_defaulted_where_it_is_read():
    found = second_defaults()
    assert not found, "Defaults belong in gemba_walk/config.py only:\n" + "\n".join(found)


def test_the_settings_the_notifications_read_have_their_defaults_in_config():
    # The ones that were once defaulted again at their call sites.
    assert Defaults.NOTIFY_CLAIM_SECONDS == 300
    assert Defaults.NOTIFY_DIGEST_HOUR == 7
    assert Defaults.NOTIFY_OVERDUE_GRACE_DAYS == 2
    assert Defaults.NOTIFY_SUMMARY_AFTER == 3
    assert Defaults.ANDON_ESCALATE_MINUTES == 15
    assert Defaults.WEBHOOK_PAUSE_AFTER == 10


def test_the_check_finds_a_second_default(tmp_path):
    # The patterns catch what they are meant to (and the test above is not green by accident).
    samples = [
        'current_app.config.get("NOTIFY_CLAIM_SECONDS", 300)',
        "config.get('SMTP_PORT') or 587",
        'bool(current_app.config.get("WEBHOOK_ALLOW_INSECURE"))',
        'app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")',
        '_setting("EGRESS_DEADLINE_SECONDS", 10)',
    ]
    for sample in samples:
        assert any(pattern.search(sample) for pattern in SECOND_DEFAULTS), sample
    assert not any(p.search('current_app.config["NOTIFY_CLAIM_SECONDS"]') for p in SECOND_DEFAULTS)
