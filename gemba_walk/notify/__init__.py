"""Notifications: who hears of what, on which channel, sent once by background jobs.

``events`` turns what domains emit (``core.hooks``) into ``NotifyEvent`` rows inside the same
transaction; ``jobs`` (Huey) fans each event out into one ``Delivery`` per (event, person,
channel), unique in the database, and sends them through ``channels``.
"""
