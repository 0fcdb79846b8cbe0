"""The insight pages and exports."""
