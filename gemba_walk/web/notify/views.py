"""The inbox (bell and page), preferences, push subscriptions, the andon acknowledgement and the
admin's channel status."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from gemba_walk.auth.roles import admin_required, roles_required
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.notify import inbox as inbox_lines
from gemba_walk.notify import jobs, webhooks
from gemba_walk.notify.channels import push as push_channel
from gemba_walk.notify.kinds import EVENT_KINDS
from gemba_walk.notify.models import (
    AndonPull,
    Delivery,
    PushSubscription,
    WebhookDelivery,
    WebhookEndpoint,
)
from gemba_walk.notify.preferences import (
    PreferenceError,
    save_preferences,
    save_push_subscription,
)
from gemba_walk.notify.queue import storage_settings
from gemba_walk.tickets.models import KaizenTicket

bp = Blueprint("notify", __name__)

PAGE_SIZE = 50


@bp.app_template_filter("webhook_pause_reason")
def webhook_pause_reason(endpoint) -> str:
    return webhooks.pause_reason_read(endpoint)


def _inbox(user_id: int):
    return sa.select(Delivery).where(Delivery.user_id == user_id, Delivery.channel == "inbox")


def unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    return inbox_lines.unread_count(current_user.id)


def andon_for(ticket: KaizenTicket) -> AndonPull | None:
    return db.session.scalar(sa.select(AndonPull).where(AndonPull.ticket_id == ticket.id))


@bp.app_context_processor
def inbox_helpers() -> dict:
    return {"inbox_unread_count": unread_count, "andon_for": andon_for}


@bp.get("/notifications")
@login_required
def inbox():
    notes = inbox_lines.notes(current_user.id, limit=PAGE_SIZE)  # one line per ticket
    return render_template("notify/inbox.html", notes=notes, unread=unread_count())


@bp.get("/notifications/count")
@login_required
def count():
    """The bell's number, for the capture shell (its HTML is the same for everyone)."""
    return jsonify(unread=unread_count())


@bp.get("/notifications/<int:delivery_id>")
@login_required
def open_note(delivery_id: int):
    """Mark one notification read and go where it points."""
    note = db.session.scalar(_inbox(current_user.id).where(Delivery.id == delivery_id))
    if note is None:
        abort(404)
    ticket = note.event.ticket
    with write_transaction():
        if note.read_at is None:
            note.read_at = utcnow()
    if ticket is not None:  # the line stood for every note of its ticket
        inbox_lines.mark_ticket_read(current_user.id, ticket)
        return redirect(url_for("tickets.show", number=ticket.number))
    return redirect(url_for("notify.inbox"))


@bp.post("/notifications/read")
@login_required
def read_all():
    with write_transaction():
        db.session.execute(
            sa.update(Delivery)
            .where(
                Delivery.user_id == current_user.id,
                Delivery.channel == "inbox",
                Delivery.read_at.is_(None),
            )
            .values(read_at=utcnow())
        )
    flash(_("Every notification is marked read."), "success")
    return redirect(url_for("notify.inbox"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    pref = jobs.preference(current_user.id)
    status = 200
    error = None
    if request.method == "POST":
        try:
            save_preferences(current_user, request.form)
        except PreferenceError as refused:
            error, status = refused.message, refused.status
            db.session.rollback()
        else:
            flash(_("Your notification choices are saved."), "success")
            return redirect(url_for("notify.preferences"))
    devices = db.session.scalar(
        sa.select(sa.func.count(PushSubscription.id)).where(
            PushSubscription.user_id == current_user.id
        )
    )
    return (
        render_template(
            "notify/preferences.html",
            pref=pref,
            kinds=EVENT_KINDS,
            wants=jobs.wants,
            channels=jobs.configured_channels(current_app.config),
            devices=devices,
            error=error,
        ),
        status,
    )


# --- Web Push -------------------------------------------------------------------------------


@bp.get("/notifications/push/key")
@login_required
def push_key():
    vapid = push_channel.load_or_create_vapid(current_app.instance_path)
    return jsonify(public_key=push_channel.application_server_key(vapid))


@bp.post("/notifications/push/subscriptions")
@login_required
def push_subscribe():
    data = request.get_json(silent=True)
    save_push_subscription(current_user, data, request.headers.get("User-Agent", ""))
    return jsonify(subscribed=True), 201


@bp.post("/notifications/push/subscriptions/remove")
@login_required
def push_unsubscribe():
    data = request.get_json(silent=True) or {}
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(endpoint, str):
        raise DomainError(422, "invalid_subscription", _("Say which subscription (its endpoint)."))
    with write_transaction():
        db.session.execute(
            sa.delete(PushSubscription).where(
                PushSubscription.endpoint == endpoint,
                PushSubscription.user_id == current_user.id,
            )
        )
    return jsonify(subscribed=False)


# --- andon ----------------------------------------------------------------------------------


@bp.post("/tickets/<int:number>/andon/acknowledge")
@roles_required("admin", "leader")
def acknowledge(number: int):
    ticket = db.session.scalar(sa.select(KaizenTicket).where(KaizenTicket.number == number))
    if ticket is None:
        abort(404)
    pull = jobs.acknowledge_andon(ticket, current_user)
    who = pull.acknowledged_by.name if pull.acknowledged_by else _("someone")
    flash(_("Andon acknowledged by %(name)s.", name=who), "success")
    return redirect(url_for("tickets.show", number=number))


# --- admin ----------------------------------------------------------------------------------


@bp.get("/admin/notifications")
@admin_required
def admin_status():
    config = current_app.config
    _host, _port, queue_words = storage_settings(
        {**config, "INSTANCE_PATH": current_app.instance_path}
    )
    counts = {
        f"{channel} {status}": number
        for channel, status, number in db.session.execute(
            sa.select(Delivery.channel, Delivery.status, sa.func.count(Delivery.id))
            .group_by(Delivery.channel, Delivery.status)
            .order_by(Delivery.channel, Delivery.status)
        )
    }
    failing = db.session.scalars(
        sa.select(Delivery)
        .where(Delivery.status.in_(("failed", "pending")), Delivery.last_error != "")
        .order_by(Delivery.id.desc())
        .limit(10)
    ).all()
    return render_template(
        "notify/admin.html",
        smtp=config["SMTP_HOST"],
        smtp_port=config["SMTP_PORT"],
        push_key=push_channel.key_path(current_app.instance_path).exists(),
        queue=queue_words,
        counts=counts,
        failing=failing,
    )


# --- webhooks (admins) ----------------------------------------------------------------------


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


@bp.route("/admin/webhooks", methods=["GET", "POST"])
@admin_required
def webhooks_index():
    error, status, form = None, 200, {}
    if request.method == "POST":
        form = request.form
        try:
            endpoint = webhooks.register_endpoint(
                current_user,
                form.get("url", ""),
                form.getlist("event"),
                form.get("description", ""),
            )
        except webhooks.WebhookError as refused:
            db.session.rollback()
            error, status = refused.message, refused.status
        else:
            flash(
                _("Webhook registered. Give its signing secret to the receiving system."), "success"
            )
            return redirect(url_for("notify.webhook_show", endpoint_id=endpoint.id))
    endpoints = db.session.scalars(sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    page = render_template(
        "notify/webhooks.html",
        endpoints=endpoints,
        event_types=webhooks.EVENT_TYPES,
        error=error,
        form=form,
    )
    return page, status


@bp.get("/admin/webhooks/<int:endpoint_id>")
@admin_required
def webhook_show(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    deliveries = db.session.scalars(
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(50)
    ).all()
    return render_template("notify/webhook.html", endpoint=endpoint, deliveries=deliveries)


@bp.post("/admin/webhooks/<int:endpoint_id>/resume")
@admin_required
def webhook_resume(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    webhooks.resume_endpoint(endpoint)
    flash(_("Webhook resumed: what waited goes out within a minute."), "success")
    return redirect(url_for("notify.webhook_show", endpoint_id=endpoint_id))


@bp.post("/admin/webhooks/<int:endpoint_id>/toggle")
@admin_required
def webhook_toggle(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    webhooks.set_active(endpoint)  # in turn: two admins at once each flip it once
    flash(_("Webhook turned on.") if endpoint.active else _("Webhook turned off."), "success")
    return redirect(url_for("notify.webhook_show", endpoint_id=endpoint_id))
