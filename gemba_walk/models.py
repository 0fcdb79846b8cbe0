"""Every model, imported in one place so Alembic and the shell see the whole schema."""

from gemba_walk.andon.models import AndonReport
from gemba_walk.areas.models import Area, AreaScan, RetiredQrToken, Site
from gemba_walk.audits.models import Audit, Finding, Photo, Response
from gemba_walk.auth.models import ApiToken, User
from gemba_walk.checklists.models import ChecklistItem, ChecklistTemplate, ChecklistTemplateVersion
from gemba_walk.notify.models import (
    AndonPull,
    Delivery,
    LegacyNotification,
    NotifyEvent,
    NotifyPreference,
    PushSubscription,
    WebhookDelivery,
    WebhookEndpoint,
)
from gemba_walk.sync.models import SyncBatch
from gemba_walk.tickets.models import Counter, KaizenTicket, TicketEvent
from gemba_walk.walks.models import Layer, LayerMember, PlannedWalk, Shift, WalkPlan

__all__ = [
    "AndonPull",
    "ApiToken",
    "AndonReport",
    "Area",
    "AreaScan",
    "Audit",
    "ChecklistItem",
    "ChecklistTemplate",
    "ChecklistTemplateVersion",
    "Counter",
    "Delivery",
    "LegacyNotification",
    "Finding",
    "KaizenTicket",
    "Layer",
    "LayerMember",
    "NotifyEvent",
    "NotifyPreference",
    "PushSubscription",
    "Photo",
    "PlannedWalk",
    "Response",
    "RetiredQrToken",
    "Shift",
    "Site",
    "SyncBatch",
    "TicketEvent",
    "User",
    "WalkPlan",
    "WebhookDelivery",
    "WebhookEndpoint",
]
