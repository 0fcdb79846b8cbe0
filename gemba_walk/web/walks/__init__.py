"""The planned-walk pages: plans, layers, shifts, the board of walks."""
