"""Pieces every domain shares: time, identifiers, errors, roles, CLI and the demo seed."""
