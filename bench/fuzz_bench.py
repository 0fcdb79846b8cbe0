"""The larger fuzz run of the API: schemathesis from /api/v1/openapi.json, many cases per
operation, valid and invalid, signed in as a leader with CSRF (the suite runs 20 per operation).

Run: .venv/bin/python bench/fuzz_bench.py [--cases 500] [--random] [--database-url URL]
(default: a temporary SQLite file; a PostgreSQL URL is WIPED, so name a scratch database).
--random draws a new seed each run instead of the fixed one. Prints the cases, the time, the
answers by status and every failure (a 5xx, an undocumented status, a body off the schema);
exits 1 when there is one. --quick (what `make bench-smoke` runs): 1 case per operation and mode.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gemba_walk import create_app  # noqa: E402
from gemba_walk.checklists.defaults import ensure_default_templates  # noqa: E402
from gemba_walk.config import normalise_database_url  # noqa: E402
from gemba_walk.extensions import db  # noqa: E402
from tests.conftest import AuthActions  # noqa: E402
from tests.factories import AreaFactory  # noqa: E402
from tests.fuzzing import fuzz_api  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=500, help="cases per operation and mode")
    parser.add_argument("--random", action="store_true", help="a new seed each run")
    parser.add_argument("--database-url")
    parser.add_argument("--quick", action="store_true", help="1 case per operation and mode")
    args = parser.parse_args()
    if args.quick:
        args.cases = min(args.cases, 1)
    with tempfile.TemporaryDirectory() as tmp:
        url = normalise_database_url(args.database_url or f"sqlite:///{Path(tmp) / 'fuzz.db'}")
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench",
                "RATELIMIT_ENABLED": False,
                "PHOTO_STORAGE_PATH": str(Path(tmp) / "photos"),
            },
            instance_path=str(Path(tmp) / "instance"),
        )
        with app.app_context():
            upgrade()
            ensure_default_templates()
            AreaFactory()
            client = app.test_client()
            AuthActions(client).login_as("leader")
            report = fuzz_api(app, client, args.cases, derandomize=not args.random)
            db.session.remove()
            db.engine.dispose()
    print(
        f"{engine.dialect.name}: {report.cases:,} cases in {report.seconds:.0f} s "
        f"({report.cases / report.seconds:.0f} per second), {len(report.failures)} failures"
    )
    print("answers by status:", dict(sorted(report.statuses.items())))
    for failure in report.failures:
        print("FAILURE", failure)
    if report.failures or not report.cases:
        sys.exit(1)


if __name__ == "__main__":
    main()
