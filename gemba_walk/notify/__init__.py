"""Notifications: who hears of what, on which channel, sent once by background jobs.

``listen`` turns the facts domains emit (``core.hooks``) into ``NotifyEvent`` rows inside the
same transaction (``events``) and queues each one's fan-out once it is committed; ``jobs``
(Huey) fans each event out into one ``Delivery`` per (event, person, channel), unique in the
database (``fanout``), and sends them through ``channels`` (``sending``).
"""
