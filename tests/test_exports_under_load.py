"""A leader downloads the findings, audits and ticket CSVs while
the whole floor syncs and uploads photos, against the real gunicorn server on both databases.

An export streams after its view has returned, while the worker's other threads serve other
requests; it used to read through the request's session, which broke sync ("database is
locked", "another row available" on SQLite) and the exports themselves ("cursor does not
exist" on PostgreSQL). Now each export reads on a session of its own.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gemba_walk.audits.models import Audit, Finding, Response
from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistTemplateVersion
from gemba_walk.core.ids import new_uuid, utcnow
from gemba_walk.tickets.models import KaizenTicket
from tests.factories import AreaFactory, UserFactory
from tests.live_tools import LiveUser
from tests.photo_tools import camera_jpeg
from tests.sync_batches import batch, finding

FINDINGS, AUDITS, ANSWERS_PER_AUDIT, TICKETS = 3000, 300, 10, 1500


def fill_exported_area(
    db, findings: int = FINDINGS, audits: int = AUDITS, tickets: int = TICKETS
) -> dict:
    """An area with months of history: by default 3,000 findings, 300 audits of 10 answers and
    1,500 tickets (bench/export_sync_bench.py asks for more)."""
    (version,) = db.session.scalars(
        sa.select(ChecklistTemplateVersion).where(ChecklistTemplateVersion.name == "5S audit")
    ).all() or [None]
    if version is None:
        ensure_default_templates()
        version = db.session.scalar(
            sa.select(ChecklistTemplateVersion).where(ChecklistTemplateVersion.name == "5S audit")
        )
    items = version.items[:ANSWERS_PER_AUDIT]
    area = AreaFactory()
    auditor = UserFactory(role="leader")
    now = utcnow()
    db.session.execute(
        sa.insert(Finding),
        [
            {
                "uuid": new_uuid(),
                "area_id": area.id,
                "kind": "waste",
                "category": "motion",
                "severity": "medium",
                "description": f"Walking to the far rack for bolts, seen {n} times",
                "reported_by_id": auditor.id,
                "observed_at": now - timedelta(minutes=n),
            }
            for n in range(findings)
        ],
    )
    audit_rows = [
        {
            "uuid": new_uuid(),
            "area_id": area.id,
            "template_version_id": version.id,
            "auditor_id": auditor.id,
            "kind": "5s",
            "started_at": now - timedelta(hours=n, minutes=20),
            "submitted_at": now - timedelta(hours=n),
            "score_total": 3.2,
        }
        for n in range(audits)
    ]
    db.session.execute(sa.insert(Audit), audit_rows)
    audit_ids = db.session.scalars(sa.select(Audit.id).where(Audit.area_id == area.id)).all()
    db.session.execute(
        sa.insert(Response),
        [
            {"uuid": new_uuid(), "audit_id": audit_id, "item_id": item.id, "score": 3}
            for audit_id in audit_ids
            for item in items
        ],
    )
    db.session.execute(
        sa.insert(KaizenTicket),
        [
            {
                "number": 900_000 + n,
                "area_id": area.id,
                "kind": "waste",
                "category": "motion",
                "title": f"Bolts far from the station ({n})",
                "severity": "medium",
                "opened_at": now - timedelta(days=n % 60),
            }
            for n in range(tickets)
        ],
    )
    db.session.commit()
    return {"area_id": area.id, "auditor": auditor.email}


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _worker_rss(server) -> int:
    """The resident memory (VmRSS, bytes) of the gunicorn worker, the one child of the master."""
    pid = server.process.pid
    (worker,) = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for line in Path(f"/proc/{worker}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.parametrize("writers", [8])
def test_leaders_download_every_export_while_the_floor_syncs(db, busy_live_server, writers):
    exported = fill_exported_area(db)
    area_id = exported["area_id"]
    floor_area = AreaFactory().id  # the phones sync here; the exported area stays as filled
    leaders = [UserFactory(role="leader").email for _ in range(3)]
    phones_people = [UserFactory(role="leader").email for _ in range(writers)]
    db.session.rollback()

    exports = {
        f"/insight/findings.csv?days=3650&area={area_id}": FINDINGS,
        f"/insight/audits.csv?days=3650&area={area_id}": AUDITS * ANSWERS_PER_AUDIT,
        f"/tickets/export.csv?status=all&area={area_id}": TICKETS,
    }
    downloads: Counter = Counter()
    errors: list[str] = []
    statuses: Counter = Counter()
    floor_busy = threading.Event()
    photo = camera_jpeg(800, 600)

    def download_until_the_floor_is_done(email: str, path: str, expected_rows: int) -> None:
        leader = LiveUser(busy_live_server, email)
        try:
            while True:
                with leader.get(path, stream=True) as answer:
                    body = bytearray()
                    for piece in answer.iter_content(16384):
                        body += piece
                        time.sleep(0.002)  # a leader on a slow line: the stream stays open
                if answer.status_code != 200:
                    errors.append(f"{path}: {answer.status_code} {bytes(body[:200])!r}")
                    return
                rows = _rows(bytes(body))
                if len(rows) != expected_rows + 1 or any(len(r) != len(rows[0]) for r in rows):
                    errors.append(f"{path}: {len(rows) - 1} rows, expected {expected_rows}")
                    return
                downloads[path] += 1
                if not floor_busy.is_set() and downloads[path] >= 2:
                    return
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(f"{path}: {error!r}")
        finally:
            leader.close()

    def phone_syncs(email: str, index: int) -> None:
        phone = LiveUser(busy_live_server, email)
        try:
            for round_ in range(5):
                photo_id = new_uuid()
                statuses[phone.put_photo(photo_id, photo).status_code] += 1
                record = finding(
                    {"id": floor_area},
                    kind="waste",
                    category="waiting",
                    severity="low",
                    description=f"Phone {index} round {round_}: operators wait for the crane",
                    photos=[photo_id],
                )
                answer = phone.sync(batch(findings=[record]))
                statuses[answer.status_code] += 1
                if answer.status_code != 200:
                    errors.append(f"sync: {answer.status_code} {answer.text[:300]}")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(f"phone {index}: {error!r}")
        finally:
            phone.close()

    memory_before = _worker_rss(busy_live_server)
    floor_busy.set()
    leaders_threads = [
        threading.Thread(target=download_until_the_floor_is_done, args=(email, path, rows))
        for email, (path, rows) in zip(leaders, exports.items(), strict=True)
    ]
    phone_threads = [
        threading.Thread(target=phone_syncs, args=(email, i))
        for i, email in enumerate(phones_people)
    ]
    for thread in leaders_threads + phone_threads:
        thread.start()
    for thread in phone_threads:
        thread.join()
    floor_busy.clear()
    for thread in leaders_threads:
        thread.join()
    memory_growth = _worker_rss(busy_live_server) - memory_before

    assert errors == []
    assert statuses == {201: writers * 5, 200: writers * 5}
    assert all(downloads[path] >= 2 for path in exports), downloads
    stored = db.session.scalar(
        sa.select(sa.func.count(Finding.id)).where(Finding.area_id == floor_area)
    )
    assert stored == writers * 5
    log = Path(busy_live_server._log.name).read_text()
    assert "Traceback" not in log, log[-3000:]
    # Streamed in pieces from a cursor: the worker does not hold whole exports in memory.
    assert memory_growth < 60 * 2**20, f"the worker grew by {memory_growth / 2**20:.0f} MB"
