"""The andon from the area label: problems reported by people without an account, triaged
by leaders."""
