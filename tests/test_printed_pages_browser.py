"""Pages people sign: the audit report and the kaizen card printed to PDF by Chromium on
A4 and Letter. The report's page 1 carries the area, auditor, scan proof, scores against the
previous audit and the radar; every note and finding is printed beside its answer; a signature
block closes it. The kaizen card fits one sheet with aligned signature lines. The pages are
rendered to PNG (pdftoppm) in tests/artifacts/ for a person to look at."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from gemba_walk.audits.models import Audit, Response
from gemba_walk.core.database import write_transaction
from gemba_walk.tickets.models import KaizenTicket
from tests.conftest import ARTIFACTS, sign_in_in_browser
from tests.factories import UserFactory, demo_plant

pytestmark = pytest.mark.browser

PAPERS = {"A4": 595.3, "Letter": 612.0}  # page width in points


def words(text: str) -> str:
    """The text as a reader reads it: ligatures undone, lines joined, "red-/tagged" whole."""
    return " ".join(text.replace("\ufb01", "fi").replace("\ufb02", "fl").split()).replace("- ", "-")


def keep_as_png(pdf: bytes, name: str) -> None:
    """Render the PDF's pages to PNG beside the screenshots (when poppler is installed)."""
    if not shutil.which("pdftoppm"):
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-", str(ARTIFACTS / name)],
        input=pdf,
        check=True,
        timeout=60,
    )


@pytest.fixture
def audited(app, db, runner):
    """A 5S audit of the demo plant that has a previous audit of its area, with a note."""
    demo_plant(runner)
    audits = db.session.scalars(
        sa.select(Audit).where(Audit.kind == "5s").order_by(Audit.submitted_at.desc())
    ).all()
    seen, chosen = set(), None
    for audit in reversed(audits):  # oldest first: the second audit of an area has a previous
        if audit.area_id in seen:
            chosen = audit
        seen.add(audit.area_id)
    assert chosen is not None
    with write_transaction():
        response = db.session.scalar(
            sa.select(Response).where(Response.audit_id == chosen.id).limit(1)
        )
        response.note = "Two pallets left by the night shift"
    return chosen


@pytest.mark.parametrize("paper", list(PAPERS))
def test_the_audit_report_prints_compact_with_notes_and_signatures(
    db, live_server, browser, audited, paper
):
    leader = UserFactory(role="leader")
    context = browser.new_context(viewport={"width": 800, "height": 1100})
    page = context.new_page()
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/insight/audits/{audited.uuid}")
    page.wait_for_function("() => document.documentElement.dataset.charts === 'drawn'")
    pdf = page.pdf(format=paper, print_background=True)
    context.close()
    keep_as_png(pdf, f"print-audit-report-{paper.lower()}")

    reader = PdfReader(io.BytesIO(pdf))
    assert abs(float(reader.pages[0].mediabox.width) - PAPERS[paper]) < 1.5
    first = words(reader.pages[0].extract_text())
    for fact in ("Auditor", audited.auditor.name, "At the gemba", audited.area.name):
        assert fact in first
    assert "Scores per pillar against the previous audit" in first
    assert "Now Before Change" in first
    everything = words(" ".join(p.extract_text() for p in reader.pages))
    assert "Two pallets left by the night shift" in everything
    for finding in audited.findings:
        if finding.item_id:
            assert f"Finding: {words(finding.description)[:40]}" in everything
    assert "Signatures" in everything and "Area owner" in everything
    assert len(reader.pages) <= 2  # was three Letter pages with page 1 half empty


@pytest.mark.parametrize("paper", list(PAPERS))
def test_the_kaizen_card_prints_on_one_sheet(db, live_server, browser, audited, paper):
    leader = UserFactory(role="leader")
    number = db.session.scalar(
        sa.select(KaizenTicket.number).where(KaizenTicket.whys.is_not(None)).limit(1)
    ) or db.session.scalar(sa.select(sa.func.min(KaizenTicket.number)))
    context = browser.new_context(viewport={"width": 800, "height": 1100})
    page = context.new_page()
    sign_in_in_browser(page, live_server, leader.email)
    page.goto(f"{live_server}/tickets/{number}/card")
    page.wait_for_function("() => [...document.images].every((i) => i.complete)")
    pdf = page.pdf(format=paper, print_background=True)
    context.close()
    keep_as_png(pdf, f"print-kaizen-card-{paper.lower()}")

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = words(reader.pages[0].extract_text())
    assert f"KZ-{number:04d}" in text
    verified = db.session.scalar(
        sa.select(KaizenTicket.verified_how).where(KaizenTicket.number == number)
    )
    # Signed as it happened: a card printed to verify on says "verified at the gemba by"; a
    # verified ticket's says how it was verified.
    if verified:
        assert "Verified by" in text and "Verified at the gemba (label scanned" in text
    else:
        assert "Verified at the gemba by" in text
    assert text.count("Signature") == 2
