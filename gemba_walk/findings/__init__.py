"""Findings: the one way a problem seen at the gemba is recorded (its photos, its ticket, the
andon it pulls), whoever brings it in: sync, the andon, the web form or the demo."""
