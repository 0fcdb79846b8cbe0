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

Every export is ``stream_csv(filename, header, query, row, form=...)``: the query built and
everything the rows need (the plant's zone, today) read by the view, the rows read and written
here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from flask import Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from gemba_walk.core.errors import RuleError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.extensions import db

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


def stream_csv(
    filename: str,
    header: Sequence[str],
    query: Select,
    row: Callable[[Any], Sequence],
    *,
    form: str = "csv",
    scalars: bool = False,
    yield_per: int = 2000,
) -> Response:
    """Stream ``query`` as a CSV download, each result written as ``row(result)``: read in
    pieces of ``yield_per`` on a session of the export's own (``scalars``: one entity a
    result, else rows of columns). ``row`` must not use the request (see the module
    docstring)."""
    query = query.execution_options(yield_per=yield_per)

    def read(session: Session) -> Iterator[Sequence]:
        results = session.scalars(query) if scalars else session.execute(query)
        return (row(result) for result in results)

    return csv_response(filename, header, rows_from_own_session(db.engine, read), form)
