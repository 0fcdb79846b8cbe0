"""Every page a person uses holds at 360 px (a phone), 820 px (a tablet)
and 1280 px (a desktop), for each role, in light and dark: nothing scrolls sideways, no control is
covered by another (the element at each control's centre is the control), every target is a
thumb's size, axe finds nothing serious. The capture screens are checked with the markup editor
and the signature pad open: a missing `}` once left both unstyled above 519 px (the editor no
overlay, its Save under the bottom bar; the pad with no frame, a stroke drawn as a stub).
Screenshots of every (role, width, scheme, page) go to tests/artifacts/layout/ to be looked at.

The layout does not depend on the database, so this story runs on SQLite only (the PostgreSQL
pass of `make test` skips it rather than spend five minutes drawing the same pages again)."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.tickets.models import KaizenTicket
from tests.browser_checks import serious_accessibility_violations
from tests.conftest import ARTIFACTS, sign_in_in_browser
from tests.factories import UserFactory, demo_plant
from tests.photo_tools import camera_jpeg
from tests.pwa_tools import ready_for_the_floor, wait_for_service_worker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        os.environ.get("GEMBA_TEST_DB") == "postgresql",
        reason="layout only: drawn once, on SQLite",
    ),
]

WIDTHS = (360, 820, 1280)
SHOTS = ARTIFACTS / "layout"

# What a person at this width would call broken. `root` limits the checks to an open dialog.
LAYOUT_PROBLEMS = """(root) => {
  const scope = root ? document.querySelector(root) : document;
  const found = [];
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width + 1)
    found.push(`scrolls sideways (${document.documentElement.scrollWidth} > ${width})`);
  const name = (el) => (el.getAttribute('aria-label') || el.textContent || el.name || el.id
                        || el.tagName).trim().replace(/\\s+/g, ' ').slice(0, 40);
  const controls = [...scope.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary, canvas')]
    // checkVisibility: not inside a closed <details>, display:none or visibility:hidden
    .filter((el) => el.checkVisibility({ visibilityProperty: true }))
    .filter((el) => !el.closest('.skip-link, .visually-hidden, .label'));
  // A long page (the builder, a board) is sampled evenly: at most 60 controls are scrolled to.
  const step = Math.max(1, Math.ceil(controls.length / 60));
  for (const [index, el] of controls.entries()) {
    // A hidden file or choice input is reached through its label: check the label.
    const style = getComputedStyle(el);
    const hidden = style.opacity === '0' || el.getBoundingClientRect().width <= 1;
    const target = hidden && el.labels?.length ? el.labels[0] : el;
    const box0 = target.getBoundingClientRect();
    if (box0.width === 0 || box0.height === 0) continue;
    const isCheck = ['checkbox', 'radio'].includes(el.type);
    const sized = isCheck && el.labels?.length ? el.labels[0].getBoundingClientRect() : box0;
    if (el.tagName !== 'CANVAS' && (sized.height < 44 || sized.width < 44))
      found.push(`small target: ${name(el)} ${sized.width | 0}x${sized.height | 0}`);
    if (index % step) continue;
    target.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
    const box = target.getBoundingClientRect();
    const x = Math.min(Math.max(box.left + box.width / 2, 1), width - 1);
    const y = Math.min(Math.max(box.top + box.height / 2, 1), window.innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    const ours = hit && (hit === el || el.contains(hit) || target.contains(hit)
      || hit.contains(target) && hit === target.parentElement
      || [...(el.labels || [])].some((label) => label.contains(hit)));
    const over = hit ? hit.outerHTML.slice(0, 60) : 'nothing';
    if (!ours) found.push(`covered: ${name(el)} under ${over}`);
  }
  window.scrollTo(0, 0);
  return [...new Set(found)];
}"""


def check(page, name: str, problems: dict, *, root: str | None = None, axe: bool = False) -> None:
    width = page.viewport_size["width"]
    scheme = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'")
    key = f"{width}-{scheme}-{name}"
    found = page.evaluate(LAYOUT_PROBLEMS, root)
    page.screenshot(path=str(SHOTS / f"{key}.png"))
    if axe:
        found += serious_accessibility_violations(page)
    if found:
        problems[key] = found


@pytest.fixture
def plant(app, runner, db):
    demo_plant(runner)
    area = db.session.scalar(sa.select(Area).where(Area.code == "A-12"))
    area.andon_enabled = True
    db.session.commit()
    return {
        "area": area.id,
        "qr": area.qr_token,
        "number": db.session.scalar(sa.select(sa.func.min(KaizenTicket.number))),
        "audit": db.session.scalar(sa.select(Audit.uuid).order_by(Audit.id).limit(1)),
        "checklist": db.session.scalar(sa.select(sa.func.min(ChecklistTemplate.id))),
    }


def pages_of(role: str, plant: dict) -> dict[str, str]:
    pages = {
        "home": "/",
        "board": "/tickets/",
        "ticket": f"/tickets/{plant['number']}",
        "report-problem": "/tickets/new",
        "areas": "/areas/",
        "area": f"/areas/{plant['area']}",
        "account": "/account",
        "notifications": "/notifications",
        "notification-settings": "/notifications/preferences",
        "audit-report": f"/insight/audits/{plant['audit']}",
        "my-walks": "/capture/walks",
        "drafts": "/capture/drafts",
        "outbox": "/capture/outbox",
        "scan": "/scan",
        "area-label": f"/a/{plant['qr']}",
    }
    if role in ("leader", "admin"):
        pages |= {
            "insight": "/insight/",
            "insight-area": f"/insight/areas/{plant['area']}",
            "kamishibai": "/walks/board",
            "walk-plans": "/walks/plans",
            "new-walk-plan": "/walks/plans/new",
            "andon-triage": "/andon/triage",
            "labels": "/areas/labels",
        }
    if role == "admin":
        pages |= {
            "users": "/admin/users/",
            "new-user": "/admin/users/new",
            "checklists": "/admin/checklists/",
            "checklist-builder": f"/admin/checklists/{plant['checklist']}/edit",
            "sites": "/admin/sites/",
            "webhooks": "/admin/webhooks",
            "notification-status": "/admin/notifications",
            "api-tokens": "/account/tokens",
            "edit-area": f"/areas/{plant['area']}/edit",
        }
    return pages


@pytest.mark.parametrize("role", ["member", "leader", "admin"])
def test_every_page_of_each_role_holds_at_phone_tablet_and_desktop_in_both_themes(
    browser, live_server, plant, role
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    person = UserFactory(role=role, name=f"Pat {role.title()}")
    problems: dict = {}
    for scheme in ("light", "dark"):
        # axe is injected as an inline script, which our CSP rightly forbids: bypass it for axe.
        context = browser.new_context(
            viewport={"width": 360, "height": 780}, color_scheme=scheme, bypass_csp=True
        )
        page = context.new_page()
        sign_in_in_browser(page, live_server, person.email)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 780 if width < 800 else 900})
            for name, path in pages_of(role, plant).items():
                page.goto(f"{live_server}{path}")
                page.wait_for_load_state("load")
                if path.startswith(("/capture", "/a/")):
                    page.locator("body[data-ready=true]").wait_for()
                # axe once per page and scheme: the markup is the same at every width
                check(page, f"{role}-{name}", problems, axe=width == 360)
        context.close()
    assert problems == {}, "\n".join(f"{key}: {found}" for key, found in problems.items())


def test_the_signed_out_pages_hold_at_every_width(browser, live_server, plant):
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, bypass_csp=True)
        page = context.new_page()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 780 if width < 800 else 900})
            for name, path in {"sign-in": "/login", "andon": f"/andon/{plant['qr']}"}.items():
                page.goto(f"{live_server}{path}")
                check(page, f"anonymous-{name}", problems, axe=width == 360)
        context.close()
    assert problems == {}, "\n".join(f"{key}: {found}" for key, found in problems.items())


def ink_extent(page) -> float:
    """How much of the signature pad's width the drawn ink spans (0–1)."""
    return page.evaluate(
        """() => {
        const canvas = document.querySelector('#signature-canvas');
        const { width, height } = canvas;
        const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
        let left = width, right = -1;
        for (let y = 0; y < height; y += 2)
          for (let x = 0; x < width; x++)
            if (data[(y * width + x) * 4 + 3] > 0 && data[(y * width + x) * 4] < 128) {
              left = Math.min(left, x); right = Math.max(right, x);
            }
        return right < 0 ? 0 : (right - left) / width;
    }"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_markup_editor_and_signature_pad_work_at_phone_tablet_and_desktop(
    browser, live_server, plant, scheme
):
    """A supervisor's tablet and an office desktop draw the same editor and pad as the phone:
    the editor covers the screen with its Save reachable, the pad has its frame, and a stroke
    across the pad is drawn across it (not as a stub in a corner)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    leader = UserFactory(role="leader", name="Tab Leader")
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    ready_for_the_floor(page, live_server, leader.email)
    problems: dict = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 780 if width < 800 else 900})
        page.goto(f"{live_server}/a/{plant['qr']}/start/5s-audit")
        page.wait_for_url("**/capture/draft/*")
        page.locator("body[data-ready=true]").wait_for()
        check(page, "leader-checklist", problems, axe=width == 360)

        extra = page.locator("[data-extra-finding]")
        if not extra.count():
            page.get_by_role("button", name="+ Add a finding on its own").click()
        extra.first.locator("input[type=file]").set_input_files(
            files=[{"name": "spill.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(900, 600)}]
        )
        extra.first.locator("img.thumb").last.wait_for()
        extra.first.get_by_role("button", name="Mark up photo 1").click()
        editor = page.get_by_role("dialog", name="Mark up photo 1")
        expect(editor).to_be_visible()
        overlay = editor.evaluate(
            """(dialog) => { const r = dialog.getBoundingClientRect();
                return getComputedStyle(dialog).position === 'fixed' && r.top <= 0 && r.left <= 0
                       && r.right >= innerWidth - 1 && r.bottom >= innerHeight - 1; }"""
        )
        if not overlay:
            problems[f"{width}-{scheme}-markup-editor"] = ["the editor does not cover the screen"]
        check(page, "leader-markup-editor", problems, root=".markup", axe=width == 360)
        editor.get_by_role("button", name="Cancel").click()
        expect(editor).to_have_count(0)

        pad = page.locator("#signature-canvas")
        pad.scroll_into_view_if_needed()
        clear = page.get_by_role("button", name="Clear and sign again")
        if clear.is_visible() and clear.is_enabled():
            clear.click()
            expect(page.locator(".signature-pad__status")).to_contain_text("Not signed")
        framed = page.locator(".signature-pad__frame").evaluate(
            "(frame) => parseFloat(getComputedStyle(frame).borderTopWidth) >= 1"
        )
        touch = pad.evaluate("(canvas) => getComputedStyle(canvas).touchAction")
        box = pad.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.5)
        page.mouse.down()
        for step in range(1, 9):
            x = box["x"] + box["width"] * (0.1 + 0.1 * step)
            page.mouse.move(x, box["y"] + box["height"] * (0.3 + 0.05 * (step % 3)), steps=3)
        page.mouse.up()
        expect(page.locator(".signature-pad__status")).to_contain_text("Signed.")
        spread = ink_extent(page)
        if not framed or touch != "none" or spread < 0.6:
            problems[f"{width}-{scheme}-signature-pad"] = [
                f"frame={framed} touch-action={touch} stroke spans {spread:.0%} of the pad"
            ]
        check(page, "leader-signature-pad", problems)
    context.close()
    assert problems == {}, "\n".join(f"{key}: {found}" for key, found in problems.items())


@pytest.mark.parametrize("language", ["de", "es", "ja"])
def test_the_capture_bottom_bar_holds_in_every_language_at_360_px(
    browser, live_server, plant, language
):
    """In German at 390 px the capture bar once ran "Rundgänge" into "Entwürfe".
    Each item's words stay inside its own item, none overlaps the next."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    person = UserFactory(role="leader", name="Lang Leader", language=language)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in_in_browser(page, live_server, person.email)
    page.goto(f"{live_server}/capture/drafts")
    wait_for_service_worker(page)
    page.locator("#pack-age:not(:empty)").wait_for()
    for path in ("/capture/drafts", f"/a/{plant['qr']}"):
        page.goto(f"{live_server}{path}")
        page.locator("body[data-ready=true]").wait_for()
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.screenshot(path=str(SHOTS / f"360-{language}-shell-bar{path.count('/')}.png"))
        clashes = page.evaluate(
            """() => {
            const items = [...document.querySelectorAll('.mainnav li')];
            const found = [];
            items.forEach((item, index) => {
              const box = item.getBoundingClientRect();
              const words = item.querySelector('a span:not(.nav-badge)');
              if (!words) return;
              const range = document.createRange();
              range.selectNodeContents(words);
              const ink = range.getBoundingClientRect();
              if (ink.left < box.left - 1 || ink.right > box.right + 1)
                found.push(`${words.textContent} leaves its item`);
              const next = items[index + 1]?.getBoundingClientRect();
              if (next && ink.right > next.left + 1)
                found.push(`${words.textContent} runs into the next`);
            });
            return found;
        }"""
        )
        assert clashes == [], (path, clashes)
    context.close()
