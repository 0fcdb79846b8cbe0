"""A phone whose storage for the app is small (8 MB, set with the DevTools
protocol before the app first touches storage). Photos are kept until the next one would not fit;
that one is refused with words before anything breaks, and the phone warns when storage is
nearly full. At full, the draft still opens after a reload, its text is all there, it is submitted
and synced once after a photo is removed."""

from __future__ import annotations

import io
import random

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding
from tests.factories import UserFactory, demo_plant
from tests.pwa_tools import outbox_states, ready_for_the_floor, score_all

pytestmark = pytest.mark.browser

QUOTA = 8 * 1024 * 1024


def noisy_photo(seed: int) -> dict:
    """A camera-sized photo of noise: it stays large after the phone compresses it (~1 MB)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (1600, 1200), rng.randbytes(1600 * 1200 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return {"name": f"noise-{seed}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def test_a_full_phone_refuses_the_photo_that_does_not_fit_and_loses_nothing(
    app, db, runner, live_server, browser, screenshot
):
    demo_plant(runner)
    leader = UserFactory(role="leader", name="Quinn Quota")
    db.session.commit()
    token = db.session.scalar(sa.select(Area.qr_token).where(Area.code == "A-12"))
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": live_server, "quotaSize": QUOTA})
    ready_for_the_floor(page, live_server, leader.email)

    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{token}/start/5s-audit")
    page.wait_for_url("**/capture/draft/*")
    score_all(page)
    # The capture screen says the phone is offline, not just "Updated".
    expect(page.locator("#pack-age")).to_contain_text("Offline")
    page.get_by_role("button", name="+ Add a finding on its own").click()
    extra = page.locator("[data-extra-finding]")
    extra.get_by_label("What did you see?").fill("Coolant puddle by the saw, not yet dried")
    status = extra.locator(".photo-status")
    kept, warned = 0, False
    for seed in range(12):
        extra.locator("input[type=file]").set_input_files(files=[noisy_photo(seed)])
        page.wait_for_function(
            """(kept) => {
                const finding = document.querySelector('[data-extra-finding]');
                const said = finding.querySelector('.photo-status').textContent;
                const more = finding.querySelectorAll('img.thumb').length > kept;
                return !/Preparing/.test(said) && (more || /could not|room/.test(said));
            }""",
            arg=kept,
            timeout=20_000,
        )
        if extra.locator("img.thumb").count() > kept:
            kept += 1
            warned = warned or "nearly full" in status.inner_text()
            continue
        break
    screenshot(page, "quota-photo-refused-390", full_page=False)
    assert 2 <= kept < 12, status.inner_text()
    assert warned, "no warning before the photo that did not fit"
    expect(status).to_contain_text("was not kept: there is no room for it on this phone")
    # At full, what the auditor types is still kept.
    seen = "Coolant puddle by the saw, not yet dried; slippery"
    extra.get_by_label("What did you see?").fill(seen)

    page.reload()  # at full, the draft still opens with everything in it
    expect(page.get_by_label("What did you see?")).to_have_value(seen)
    expect(page.locator("[data-extra-finding] img.thumb")).to_have_count(kept)
    page.get_by_role("button", name="Remove photo 1").first.click()
    expect(page.locator("[data-extra-finding] img.thumb")).to_have_count(kept - 1)
    page.get_by_role("button", name="Submit — send when online").click()
    page.get_by_text("Waiting to sync").wait_for()
    page.context.set_offline(False)
    page.locator(".outbox-entry .state").filter(has_text="Synced").wait_for(timeout=30_000)
    assert outbox_states(page) == ["synced"]

    db.session.rollback()
    audits = db.session.scalars(sa.select(Audit).where(Audit.auditor_id == leader.id)).all()
    assert len(audits) == 1
    finding = db.session.scalar(sa.select(Finding).where(Finding.description == seen))
    assert len(finding.photos) == kept - 1
    context.close()
