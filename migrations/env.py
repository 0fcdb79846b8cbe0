"""Alembic environment for Flask-Migrate: the app's engine and the models' metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
# Keep the app's own loggers alive when migrations run inside it (tests, init-db).
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    """Write the SQL to stdout instead of running it (``flask db upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on the app's database."""

    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)

    with target_db.engine.connect() as connection:
        # SQLite alters a table by copying it and dropping the old one; with foreign keys on,
        # that DROP fails as soon as other tables' rows point at it (seen upgrading a populated
        # database through 8095aff5968b). The documented recipe: foreign keys off while the
        # migrations run (outside a transaction, where SQLite honours it), then check them.
        raw = (
            connection.connection.driver_connection if connection.dialect.name == "sqlite" else None
        )
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(
                connection=connection, target_metadata=target_db.metadata, **conf_args
            )
            with context.begin_transaction():
                context.run_migrations()
                if raw is not None:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"Migrations left broken foreign keys: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
