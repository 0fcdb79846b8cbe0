"""QR labels decode, with an independent decoder, to exactly the area's URL."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from gemba_walk.areas.models import Area
from gemba_walk.web.areas.views import LABELS_PER_BATCH
from tests.conftest import sign_in_in_browser
from tests.factories import AreaFactory, SiteFactory, UserFactory, demo_plant
from tests.qr_tools import decode_all


def test_png_label_decodes_to_the_area_url(client, auth, db, runner):
    demo_plant(runner)
    auth.login_as("admin")
    for area in db.session.scalars(sa.select(Area)):
        response = client.get(f"/areas/{area.id}/qr.png")
        assert (response.status_code, response.mimetype) == (200, "image/png"), area.code
        decoded = decode_all(response.data)
        assert decoded == {f"http://gemba.test/a/{area.qr_token}"}, (area.code, area.qr_token)


def test_svg_label_is_a_self_contained_image(client, auth):
    auth.login_as("admin")
    area = AreaFactory(code="Q-01")
    response = client.get(f"/areas/{area.id}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    assert response.text.startswith("<svg") and "style=" not in response.text
    assert 'aria-label="QR code for Q-01' in response.text


def test_label_sheet_prints_a_selection_or_a_site(client, auth):
    auth.login_as("admin")
    site = SiteFactory(name="East Plant")
    areas = [AreaFactory(site=site, code=f"E-{n}") for n in range(1, 5)]
    AreaFactory(code="W-1")  # another site
    selection = client.get(f"/areas/labels?area={areas[0].id}&area={areas[2].id}").text
    assert re.findall(r'class="label__code">([^<]+)<', selection) == ["E-1", "E-3"]
    whole_site = client.get(f"/areas/labels?site={site.id}").text
    assert re.findall(r'class="label__code">([^<]+)<', whole_site) == ["E-1", "E-2", "E-3", "E-4"]
    assert "Scan to start a gemba walk" in whole_site
    assert "East Plant" in whole_site


def test_labels_show_the_address_they_encode_and_warn_when_it_is_not_this_one(
    client, auth, make_app
):
    """Labels printed for an address phones cannot reach are caught at print."""
    auth.login_as("admin")
    area = AreaFactory(code="E-9")
    sheet = client.get(f"/areas/labels?area={area.id}").text
    assert "The codes open <strong>http://gemba.test</strong>/a/" in sheet
    assert "Phones may not reach the address on these labels" in sheet  # opened at localhost
    same = client.get(f"/areas/labels?area={area.id}", base_url="http://gemba.test").text
    assert "Phones may not reach" not in same


def test_make_run_labels_encode_the_address_it_serves(tmp_path):
    """`make run PORT=5087` serves :5087, so its labels say :5087 unless told otherwise."""
    root = Path(__file__).resolve().parent.parent
    show = "show-url: ; @echo $(PUBLIC_BASE_URL)"

    def url(*settings: str, env: dict | None = None) -> str:
        command = ["make", "-s", "-C", str(root), f"--eval={show}", "show-url", *settings]
        environment = {k: v for k, v in os.environ.items() if k != "PUBLIC_BASE_URL"}
        result = subprocess.run(
            command, capture_output=True, text=True, check=True, env={**environment, **(env or {})}
        )
        return result.stdout.strip()

    assert url("PORT=5087") == "http://127.0.0.1:5087"
    assert url("HOST=0.0.0.0", "PORT=8000", "HTTPS=1") == "https://0.0.0.0:8000"
    assert url(env={"PUBLIC_BASE_URL": "https://gemba.plant.example"}) == (
        "https://gemba.plant.example"
    )


def test_hundreds_of_labels_print_in_batches(client, auth, db):
    auth.login_as("admin")
    site = SiteFactory()
    db.session.add_all(
        Area(site=site, code=f"Z-{n:03d}", name=f"Zone {n}") for n in range(LABELS_PER_BATCH + 25)
    )
    db.session.commit()
    first = client.get(f"/areas/labels?site={site.id}")
    assert first.text.count('class="label"') == LABELS_PER_BATCH
    assert f"Labels 1–{LABELS_PER_BATCH} of {LABELS_PER_BATCH + 25}" in first.text
    assert "Next batch (2 of 2)" in first.text
    second = client.get(f"/areas/labels?site={site.id}&batch=2")
    assert second.text.count('class="label"') == 25
    assert client.get(f"/areas/labels?site={site.id}&batch=3").status_code == 404


def test_no_labels_to_print_is_explained(client, auth):
    auth.login_as("admin")
    response = client.get("/areas/labels?site=424242")
    assert response.status_code == 404
    assert "There are no active areas to print labels for." in response.text


@pytest.mark.browser
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_printed_label_sheet_decodes_to_every_area_url(
    app, live_server, browser, screenshot, tmp_path, paper, db
):
    admin = UserFactory(role="admin")
    site = SiteFactory(name="Label Plant")
    areas = [AreaFactory(site=site, code=f"L-{n}", name=f"Line {n}") for n in range(1, 7)]
    context = browser.new_context(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
    page = context.new_page()
    sign_in_in_browser(page, live_server, admin.email)
    page.goto(f"{live_server}/areas/labels?site={site.id}&paper={paper}")
    page.emulate_media(media="print")
    path = screenshot(page, f"label-sheet-print-{paper}")
    expected = {f"{live_server}/a/{area.qr_token}" for area in areas}
    assert decode_all(Image.open(path)) == expected
    context.close()


@pytest.mark.browser
def test_label_sheet_on_a_phone(app, live_server, page, screenshot):
    admin = UserFactory(role="admin")
    area = AreaFactory(code="A-12", name="Assembly line 1")
    sign_in_in_browser(page, live_server, admin.email)
    page.goto(f"{live_server}/areas/labels?area={area.id}")
    assert page.get_by_role("button", name="Print this batch").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    path = screenshot(page, "label-sheet-phone")
    assert decode_all(Image.open(path)) == {f"{live_server}/a/{area.qr_token}"}
