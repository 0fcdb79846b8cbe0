"""Sync: what phones captured offline, stored once (api -> sync -> audits, checklists, tickets)."""
