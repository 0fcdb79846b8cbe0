"""Kaizen tickets on the web: the board and its export, a ticket's page, the report form.

One blueprint (``views.bp``); each module adds its own pages to it when imported here."""

from gemba_walk.web.tickets import board, report, views  # noqa: F401 — their pages on bp
from gemba_walk.web.tickets.views import bp

__all__ = ["bp"]
