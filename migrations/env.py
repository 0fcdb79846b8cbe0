"""Alembic environment for Flask-Migrate: the app's engine and the models' metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from flask import current_app

config = context.config
# Keep the app's own loggers alive when migrations run inside it (tests, init-db).
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


FORWARD_ONLY = (
    "Migrations are forward-only: this would go back to an earlier revision, so nothing was "
    "run and the database is unchanged. To go back, restore a backup taken before the upgrade."
)


def refuse_downgrades():
    """Check the whole plan before its first step: a downgrade is refused while nothing has run.

    A refusal inside one migration's downgrade() came too late: on SQLite (no transactional
    DDL) the later migrations' downgrades had already dropped tables and moved the revision.
    Alembic hands the plan to the migration context as a function of the current heads; it is
    wrapped here, so ``run_migrations()`` gets the steps only after every one was checked.
    """
    migration = context.get_context()
    plan = migration._migrations_fn  # Alembic's one hook before any step runs
    if plan is None:
        return

    def forward_steps(heads, migration_context):
        steps = list(plan(heads, migration_context))
        if any(not getattr(step, "is_upgrade", True) for step in steps):
            raise CommandError(FORWARD_ONLY)
        return steps

    migration._migrations_fn = forward_steps


def run_migrations_offline():
    """Write the SQL to stdout instead of running it (``flask db upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
    )
    refuse_downgrades()
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
            refuse_downgrades()
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
