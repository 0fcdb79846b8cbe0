"""Accounts: signing in and out, roles, and the admin pages for users."""
