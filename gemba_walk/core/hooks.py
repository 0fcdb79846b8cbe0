"""A small hook: domains say what happened; a layer above (notify) listens.

Domains may not import the layers above them, so they call ``emit("ticket.done", ...)`` and
whatever subscribed at start-up (``gemba_walk.notify.listen``) records it inside the caller's
transaction. With no subscriber (a script that builds no app), emitting does nothing.
"""

from __future__ import annotations

from collections.abc import Callable

_subscribers: list[Callable[..., None]] = []


def subscribe(handler: Callable[..., None]) -> None:
    """Add ``handler(kind, **details)``; the same handler is kept once."""
    if handler not in _subscribers:
        _subscribers.append(handler)


def emit(kind: str, **details) -> None:
    """Tell every subscriber, in the caller's transaction (an error rolls the caller back)."""
    for handler in list(_subscribers):
        handler(kind, **details)
