"""Kaizen tickets on the web: the board and its export, a ticket's page, the report form."""
