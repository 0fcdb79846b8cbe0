"""The inbox, the bell, notification preferences and webhooks on the web."""
