"""Command-line tasks: flask --app gemba_walk init-db | seed-demo | backup | restore |
prune-photos | user create | make-cert."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from huey.consumer import Consumer
from sqlalchemy.engine import make_url

from gemba_walk.andon.operations import forget_old_photos
from gemba_walk.audits.photos import PhotoStore, prune_unattached_photos
from gemba_walk.auth.operations import AccountError, create_user
from gemba_walk.cli.backup import BackupError, create_backup, restore_backup
from gemba_walk.cli.demo import database_is_empty, seed_demo
from gemba_walk.core.tls import write_self_signed_certificate
from gemba_walk.notify import jobs, queue


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(user_group)
    app.cli.add_command(make_cert)
    app.cli.add_command(prune_photos)
    app.cli.add_command(run_jobs)
    app.cli.add_command(notify_sweep)


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema to the latest migration."""
    upgrade()
    click.echo(f"Database ready: {_safe_url()}")


@click.command("seed-demo")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (and say so) when the database has data already."
)
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo plant, users and eight weeks of history into an empty database."""
    accounts_file = Path(current_app.instance_path) / "demo-accounts.txt"
    if not database_is_empty():
        click.echo("The database already has data: nothing was added or changed.")
        if accounts_file.exists():
            click.echo(f"Demo sign-ins (from {accounts_file}):")
            click.echo(accounts_file.read_text().rstrip())
        if if_empty:
            return
        raise click.ClickException("seed-demo only loads into an empty database.")
    accounts = seed_demo(current_app.instance_path)
    click.echo("Demo plant loaded. Sign in with:")
    for account in accounts:
        click.echo(f"  {account.role:<8} {account.email:<24} {account.password}")
    click.echo(f"(kept in {accounts_file})")


@click.command("backup")
@click.argument("destination", required=False, type=click.Path(dir_okay=False))
def backup(destination: str | None) -> None:
    """Write one archive (tar.gz, mode 600): database snapshot, photos, manifest."""
    try:
        target = create_backup(Path(destination) if destination else None)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {_safe_url()} and the photos to {target}")


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False))
def restore(archive: str) -> None:
    """Check a backup archive and restore it into this empty instance."""
    try:
        summary = restore_backup(Path(archive))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Restored the {summary.database} database (revision {summary.revision}) and "
        f"{summary.photos} photo file(s) into {_safe_url()}; schema upgraded to this version."
    )


user_group = AppGroup("user", help="Manage user accounts.")


@user_group.command("create")
@click.option("--email", default=None, help="Optional when --username is given.")
@click.option("--username", default=None, help="Signs in without an email address, e.g. k.tanaka.")
@click.option("--name", default="", help="Display name (defaults to the username or email).")
@click.option(
    "--role", type=click.Choice(["admin", "leader", "member"]), default="member", show_default=True
)
@click.option("--language", type=click.Choice(["en", "de", "es", "ja"]), default=None)
@click.password_option(help="Prompted for when not given.")
def create_user_command(
    email: str | None,
    username: str | None,
    name: str,
    role: str,
    language: str | None,
    password: str,
) -> None:
    """Create a user account that signs in with an email address, a username, or either."""
    if not email and not username:
        raise click.UsageError("Give --email, --username, or both.")
    try:
        user = create_user(email, name, role, password, username=username, language=language)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.sign_in_name} ({user.role}).")


def _safe_url() -> str:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(
        hide_password=True
    )


@click.command("make-cert")
@click.option("--force", is_flag=True, help="Replace an existing certificate.")
def make_cert(force: bool) -> None:
    """Create a self-signed certificate in instance/tls, to try the app from a phone on the LAN."""
    folder = Path(current_app.instance_path) / "tls"
    if (folder / "cert.pem").exists() and not force:
        click.echo(f"Using the certificate in {folder} (--force to replace it).")
        return
    names = write_self_signed_certificate(folder)
    click.echo(f"Self-signed certificate for {', '.join(names)} written to {folder}")


@click.command("prune-photos")
@click.option(
    "--days",
    type=click.FloatRange(min=0),
    default=None,
    help="Age in days (default: PHOTO_UNATTACHED_MAX_AGE_DAYS, 7, for photos attached to "
    "nothing; ANDON_PHOTO_MAX_AGE_DAYS, 30, for andon reports).",
)
def prune_photos(days: float | None) -> None:
    """Delete uploaded photos never attached to a finding or ticket, older than some days, and
    the photos of andon reports received longer ago, decided or not."""
    store = PhotoStore(current_app.config["PHOTO_STORAGE_PATH"])
    unattached_days = float(current_app.config["PHOTO_UNATTACHED_MAX_AGE_DAYS"])
    andon_days = float(current_app.config["ANDON_PHOTO_MAX_AGE_DAYS"])
    if days is not None:
        unattached_days = andon_days = days
    result = prune_unattached_photos(store, timedelta(days=unattached_days))
    click.echo(
        f"Removed {result.rows} photo(s) attached to nothing for more than {unattached_days:g} "
        f"days ({result.files} file(s))."
    )
    andon = forget_old_photos(store, timedelta(days=andon_days))
    click.echo(
        f"Removed the photos of {andon} andon report(s) received more than {andon_days:g} days ago."
    )


@click.command("run-jobs")
@click.option("--workers", type=click.IntRange(1, 64), default=2, help="Worker threads.")
def run_jobs(workers: int) -> None:
    """Run the background job consumer (notifications, periodic checks) until stopped."""
    queue.bind(current_app._get_current_object())
    click.echo(
        f"Jobs: {current_app.config['HUEY_STORAGE_DESCRIPTION']}, {workers} worker(s), "
        f"{len(jobs.huey._registry._registry)} task(s)"
    )
    # Redis blocks on the queue (no polling); SQLite is polled, at most a second apart.
    consumer = Consumer(
        jobs.huey, workers=workers, periodic=True, initial_delay=0.05, backoff=1.5, max_delay=1.0
    )
    consumer.run()


@click.command("notify-sweep")
def notify_sweep() -> None:
    """Do now what the job consumer does every minute (fan out, retry, release, checks)."""
    click.echo(jobs.run_pending())
