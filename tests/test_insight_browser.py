"""The insight dashboard in Chromium: charts drawn from the page's own data under the CSP, the
table under each chart holding the same numbers, usable on a phone and on a desk."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import sign_in_in_browser
from tests.factories import UserFactory, demo_plant

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "viewport", [{"width": 360, "height": 780}, {"width": 1280, "height": 900}]
)
def test_a_leader_sees_charts_with_their_numbers(
    app, runner, live_server, browser, screenshot, viewport
):
    demo_plant(runner)
    leader = UserFactory(role="leader")
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/insight/?days=365")
    page.wait_for_function("() => document.documentElement.dataset.charts === 'drawn'")
    canvas = page.locator("#chart-pareto-waste")
    box = canvas.bounding_box()
    assert box["width"] > 200 and box["height"] > 150
    # Something was drawn: the canvas is not blank.
    assert page.evaluate(
        """() => {
          const c = document.getElementById('chart-pareto-waste');
          const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          return pixels.some((value, i) => i % 4 === 3 && value > 0);
        }"""
    )
    # The chart's numbers are the table's numbers.
    chart = page.evaluate("() => JSON.parse(document.getElementById('chart-data').textContent)")
    rows = page.locator("#pareto-waste ~ table tbody tr")
    expect(rows).to_have_count(len(chart["chart-pareto-waste"]["counts"]))
    first = rows.first.locator("td").first.inner_text()
    assert first.startswith(str(chart["chart-pareto-waste"]["counts"][0]))
    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"insight-{viewport['width']}")
    context.close()


@pytest.mark.parametrize(("paper", "width_px"), [("A4", 794), ("Letter", 816)])
def test_a_leader_prints_an_audit_report_on_paper(
    app, db, runner, live_server, browser, screenshot, paper, width_px
):
    """Printing (Save as PDF in the browser): no menus, the radar drawn, every answer on the
    page, on both paper sizes; the print-media screenshots are kept for a person to look at."""
    import sqlalchemy as sa
    from pypdf import PdfReader

    from gemba_walk.audits.models import Audit

    demo_plant(runner)
    leader = UserFactory(role="leader")
    audit = db.session.scalar(
        sa.select(Audit).where(Audit.kind == "5s", Audit.findings.any()).limit(1)
    )
    context = browser.new_context(viewport={"width": width_px, "height": 1100})
    page = context.new_page()
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/insight/audits/{audit.uuid}")
    page.wait_for_function("() => document.documentElement.dataset.charts === 'drawn'")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".mainnav")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"audit-report-print-{paper.lower()}")
    pdf = page.pdf(format=paper, print_background=True)
    context.close()

    import io

    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    assert 1 <= len(reader.pages) <= 4
    width_pt = float(reader.pages[0].mediabox.width)
    assert abs(width_pt - {"A4": 595.3, "Letter": 612}[paper]) < 1.5  # points; 210 mm or 8.5 in
    assert audit.area.name in text and "Sign out" not in text and "Insight" not in text
    # One line of words, as a reader sees it: a word broken at its hyphen ("red-|tagged") joined.
    words = re.sub(r"-\s+", "-", " ".join(text.split()))
    for response in audit.responses[:3]:
        assert response.item.prompt[:30] in words


def test_a_dashboard_seen_once_reads_with_its_charts_offline(app, runner, live_server, page):
    """Insight pages are kept for offline reading; their charts draw there too (Chart.js is
    cached when first used, not precached for every phone)."""
    from tests.pwa_tools import wait_for_service_worker

    demo_plant(runner)
    leader = UserFactory(role="leader")
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/insight/?days=90")
    wait_for_service_worker(page)
    page.wait_for_function("() => document.documentElement.dataset.charts === 'drawn'")

    page.context.set_offline(True)
    page.reload()
    page.wait_for_function("() => document.documentElement.dataset.charts === 'drawn'")
    expect(page.locator("h1").first).not_to_have_text("You are offline")
    expect(page.locator("#chart-pareto-waste")).to_be_visible()


def test_a_leader_prints_the_dashboard_for_the_team_board(
    app, runner, live_server, browser, screenshot
):
    """The dashboard on paper: no menus or filters, every chart with its table."""
    import io

    from pypdf import PdfReader

    demo_plant(runner)
    leader = UserFactory(role="leader")
    context = browser.new_context(viewport={"width": 794, "height": 1100})
    page = context.new_page()
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/insight/?days=365")
    page.wait_for_function("() => document.documentElement.dataset.charts === 'drawn'")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "insight-print-a4")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    context.close()
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Sign out" not in text and "Wastes seen on walks" in text
    assert "Last 365 days · printed" in text and "Findings CSV" not in text
    assert "Latest 5S score of each area" in text
