"""What arrived from a phone, as the server reads it: a record's hash, its times, and the
refusal of a batch (nothing of a refused batch is stored)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gemba_walk import field_rules
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext as _


class SyncError(DomainError):
    """The batch cannot be stored; nothing of it was."""


@dataclass
class Problems:
    """What is wrong with a batch, record by record; refused whole if anything is."""

    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, record: str, message: str) -> None:
        self.items.append({"record": record, "message": message})

    def refuse(self) -> None:
        """Refuse the batch (422) if any record has a problem."""
        if self.items:
            raise SyncError(422, "invalid_records", _("Some records are not valid."), self.items)


def payload_sha256(record: Any) -> str:
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 time from the phone, as naive UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError as error:  # 0001-01-01T00:00+01:00 has no UTC time
            raise ValueError(str(error)) from error
    return moment


def trusted_timestamp(value: str, received: datetime) -> tuple[datetime, datetime | None]:
    """(the time stored, the phone's own time where its clock ran ahead, else None): a time
    more than the field rules' clock.future_minutes past the received time is the received
    time (the phone applies the same rule to what it shows before it syncs)."""
    phone = parse_timestamp(value)
    stored = field_rules.trusted_time(phone, received)
    return stored, (phone if stored != phone else None)
