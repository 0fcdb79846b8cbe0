"""The home page (what needs attention) and the health check."""
