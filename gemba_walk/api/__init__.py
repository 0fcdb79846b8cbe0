"""The JSON API used by the phone: versioned under /api/v1."""
