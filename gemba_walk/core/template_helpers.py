"""What every template can use: built asset URLs, the navigation, Lean labels."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from gemba_walk import field_rules, lean
from gemba_walk.core import i18n, localtime
from gemba_walk.core.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string: translated when the page renders
    icon: str
    roles: tuple[str, ...] = ("admin", "leader", "member")
    arguments: tuple[tuple[str, str], ...] = ()
    blueprints: tuple[str, ...] = ()  # other pages the item stands for (marked current there)
    rank: int = 9  # a role's PRIMARY_ITEMS best-ranked items always show; the rest go in "More"


# Items whose blueprint is not registered (yet) are skipped, so the menu follows the app.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("core.home", _l("Home"), "home", rank=1),
    NavItem("capture.scan", _l("Scan"), "scan", rank=2),
    NavItem("capture.shell", _l("Outbox"), "outbox", arguments=(("_screen", "outbox"),), rank=5),
    NavItem("tickets.board", _l("Tickets"), "tickets", rank=3),
    NavItem("reports.dashboard", _l("Insight"), "chart", ("admin", "leader"), rank=4),
    NavItem("areas.index", _l("Areas"), "areas", rank=6),
    NavItem(
        "users.index", _l("Users"), "users", ("admin",), blueprints=("checklists", "sites"), rank=7
    ),
)
# Items always in the bar (bottom on phones, top on tablets); the others sit in "More" until
# the screen is wide enough for all of them (see the .mainnav rules in static/css/nav.css).
PRIMARY_ITEMS = 4


@lru_cache(maxsize=4)
def _asset_manifest(path: str, _mtime: float) -> dict[str, str]:
    return json.loads(Path(path).read_text())


def asset_url(name: str) -> str:
    """URL of a built asset (hashed file name from static/dist/manifest.json)."""
    manifest = Path(current_app.static_folder) / "dist" / "manifest.json"
    try:
        mapping = _asset_manifest(str(manifest), manifest.stat().st_mtime)
    except FileNotFoundError as error:
        raise RuntimeError("Front-end assets are not built: run `make assets`.") from error
    return url_for("static", filename=f"dist/{mapping[name]}")


def navigation() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for item in NAVIGATION:
        if item.endpoint not in current_app.view_functions or current_user.role not in item.roles:
            continue
        href = url_for(item.endpoint, **dict(item.arguments))
        items.append(
            {
                "href": href,
                "label": item.label,
                "icon": item.icon,
                "rank": item.rank,
                "current": request.endpoint == item.endpoint
                or request.blueprint in item.blueprints,
            }
        )
    primary = {id(entry) for entry in sorted(items, key=lambda e: e["rank"])[:PRIMARY_ITEMS]}
    for entry in items:
        entry["primary"] = id(entry) in primary
    return items


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        asset_url=asset_url,
        navigation=navigation,
        lean=lean,
        today=localtime.local_today,
        plant_zone=localtime.plant_zone,
    )

    # Every date and time a person reads, in the plant's local time (core/localtime.py), as
    # the person's language writes it (core/i18n.py; English keeps localtime's own format).
    app.add_template_filter(i18n.format_datetime, "datetime")
    app.add_template_filter(i18n.format_date, "date")
    app.add_template_filter(i18n.format_weekday, "weekday")
    app.add_template_filter(i18n.event_message, "event_message")
    app.add_template_filter(i18n.format_day_month, "day_month")
    app.add_template_filter(localtime.format_time, "time")

    # Scores and readings are rounded and written as the phone writes them
    # (gemba_walk/field_rules.json), with the person's decimal sign.
    @app.template_filter("score")
    def _format_score(value) -> str:
        return i18n.localise_number(field_rules.format_score(value))

    @app.template_filter("number")
    def _format_number(value) -> str:
        return i18n.localise_number(field_rules.format_number(value))
