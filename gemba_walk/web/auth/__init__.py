"""The sign-in, account and user-admin pages."""
