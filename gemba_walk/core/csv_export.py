"""CSV downloads that open cleanly in Excel: UTF-8 with a byte-order mark, CRLF, streamed, and
cells a spreadsheet would run as a formula quoted as text.

Two forms of each: plain CSV (commas, decimal points: what tools and an English Excel read) and
"Excel" (``?format=excel``: semicolons and decimal commas, which a German, Spanish or French
Excel opens as columns and numbers rather than one column of text per row).

A streamed export is read by the server *after* its view has returned, while the same worker
thread pool serves other requests. So an export never reads through the request's session:
``rows_from_own_session`` opens a session of its own (its own connection from the pool and its
own transaction, which on PostgreSQL keeps the server-side cursor alive and on SQLite is one
WAL snapshot) when the first row is wanted, and closes it when the last row was sent or the
download was abandoned. Nothing of the request — session, user, app context — is touched once
the view has returned.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from flask import Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gemba_walk.core.errors import RuleError
from gemba_walk.core.i18n import gettext as _

EXPORT_FORMATS = ("csv", "excel")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")


class ExportFormatError(RuleError):
    """A ``format`` an export does not know."""

    status_code, error_code = 400, "bad_format"


def export_format(value: str | None) -> str:
    """The export's form from the URL's ``format``: 'csv' (the default) or 'excel'."""
    chosen = (value or "").strip() or "csv"
    if chosen not in EXPORT_FORMATS:
        raise ExportFormatError(
            _("Unknown format “%(format)s”. Use csv or excel.", format=chosen[:40])
        )
    return chosen


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def excel_cell(value) -> str:
    """A cell for a semicolon Excel: a decimal number with a decimal comma (8,5 rather than
    8.5, which such an Excel reads as a date), everything else as plain CSV writes it."""
    text = safe_cell(value)
    return text.replace(".", ",") if _DECIMAL.fullmatch(text) else text


def rows_from_own_session(engine: Engine, read: Callable[[Session], Iterable]) -> Iterator:
    """The rows ``read(session)`` yields, read on a session (connection and transaction) of the
    export's own for as long as it streams; closed at the end or when the client goes away."""
    with Session(bind=engine) as session, session.begin():
        yield from read(session)


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], form: str = "csv"
) -> Response:
    """Stream ``rows`` as a CSV download, plain or for a semicolon Excel (``form``). ``rows``
    must not use the request's context or session (see the module docstring): build it with
    ``rows_from_own_session``."""
    excel = form == "excel"
    cell = excel_cell if excel else safe_cell
    if excel:
        filename = filename.removesuffix(".csv") + "-excel.csv"

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n", delimiter=";" if excel else ",")
        buffer.write("\ufeff")
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell(value) for value in row])
            if buffer.tell() >= 16384:  # send in pieces of about 16 KB, not a line at a time
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(lines(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
