"""E-mail over SMTP: settings from the environment; HTML and plain text; one or many events."""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import render_template

from gemba_walk.notify.channels import Retry


def configured(config) -> bool:
    return bool(config["SMTP_HOST"])


def send(config, to: str, subject: str, items: list[dict], message_id: str) -> None:
    """Send one mail listing ``items`` ({"message", "url"}); ``message_id`` is derived from the
    deliveries so a mail re-sent after a crash carries the same Message-ID."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"] or f"Gemba Walk <gemba-walk@{socket.getfqdn()}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    domain = (config["MAIL_FROM"] or "gemba-walk@localhost").rsplit("@", 1)[-1].strip(">")
    message["Message-ID"] = make_msgid(idstring=message_id, domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_template("notify/email.txt", subject=subject, items=items))
    message.add_alternative(
        render_template("notify/email.html", subject=subject, items=items), subtype="html"
    )
    host = config["SMTP_HOST"]
    port = int(config["SMTP_PORT"])
    security = config["SMTP_SECURITY"].lower()
    timeout = float(config["SMTP_TIMEOUT"])
    try:
        if security == "ssl":
            server = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if config["SMTP_USERNAME"]:
                server.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise Retry(f"SMTP {host}:{port}: {error}") from error
