"""A Japanese member's offline audit, in Chromium at 360 px: the field pack carries
the shell's words and the default checklist in Japanese, the audit is made with no network,
syncs when the phone is back online, and its report prints in Japanese."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit
from tests.browser_checks import no_horizontal_scroll, small_touch_targets
from tests.factories import DEFAULT_PASSWORD, UserFactory, demo_layout
from tests.pwa_tools import score_all, wait_for_service_worker


def _has_cjk_font() -> bool:
    """Chromium draws Japanese as empty boxes without a CJK font (`make browser` installs Noto
    CJK as root; a phone always has one)."""
    if shutil.which("fc-list") is None:
        return False
    fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout
    return bool(fonts.strip())


pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not _has_cjk_font(), reason="no Japanese font (install fonts-noto-cjk)"),
]

NARROW = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser_profile):
    return browser_profile(viewport=NARROW, locale="ja-JP")


def test_a_japanese_member_audits_offline_in_japanese_and_the_report_prints_in_japanese(
    app, db, live_server, phone, screenshot
):
    demo_layout(app)
    member = UserFactory(role="member", name="田中 健二", language="ja")
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-11"))
    token = area.qr_token
    db.session.rollback()
    page = phone.pages[0] if phone.pages else phone.new_page()

    page.goto(f"{live_server}/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("サインイン")
    page.get_by_label("メールアドレスまたはユーザー名").fill(member.email)
    page.get_by_label("パスワード").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/capture/drafts")
    wait_for_service_worker(page)
    page.locator("#pack-age:has-text('更新')").wait_for()

    page.context.set_offline(True)
    page.goto(f"{live_server}/a/{token}")
    expect(page.get_by_role("link", name="5S監査を開始")).to_be_visible()
    screenshot(page, "japanese-audit-area-offline-360")
    page.get_by_role("link", name="5S監査を開始").click()
    page.wait_for_url("**/capture/draft/*")
    expect(
        page.get_by_text("エリアには今の作業に必要な工具・部品・材料だけがある", exact=True)
    ).to_be_visible()
    score_all(page)
    assert no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    screenshot(page, "japanese-audit-checklist-offline-360")
    page.get_by_role("button", name="提出 — オンライン時に送信").click()
    page.wait_for_url("**/capture/outbox*")
    expect(
        page.get_by_text("提出しました。サーバーに届くまでこの端末に保管されます。")
    ).to_be_visible()
    screenshot(page, "japanese-audit-outbox-offline-360")

    page.context.set_offline(False)
    page.get_by_role("button", name="今すぐ同期").click()
    expect(page.locator(".outbox-entry--synced")).to_contain_text("同期済み")
    db.session.rollback()
    audit = db.session.scalar(sa.select(Audit))
    assert audit is not None and audit.auditor_id == member.id

    page.goto(f"{live_server}/insight/audits/{audit.uuid}")
    expect(page.get_by_role("heading", name="回答")).to_be_visible()
    page.emulate_media(media="print")
    screenshot(page, "japanese-audit-report-print")
    pdf = page.pdf(format="A4", print_background=True)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    # The PDF's text layer writes some kanji as their compatibility forms (⽥ for 田): NFKC.
    compact = unicodedata.normalize("NFKC", "".join(text.split()))
    assert "回答" in compact and "柱ごとのスコア" in compact
    assert "エリアには今の作業に必要な工具" in compact
