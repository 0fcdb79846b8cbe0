"""At the gemba: scanning area labels and (with offline capture) running checklists."""
