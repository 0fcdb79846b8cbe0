"""JSON Schema building blocks of the field API: ids, UUIDs, times, text a database can store."""

from gemba_walk.core.ids import MAX_ID

# Checked as a UUID, not as 36 characters: a batch id of 36 dashes (or zeros) is refused, and
# so is the nil UUID, which no phone makes.
UUID = {
    "type": "string",
    "format": "uuid",
    "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "not": {"const": "00000000-0000-0000-0000-000000000000"},
}
TIMESTAMP = {
    "type": "string",
    "format": "date-time",
    "minLength": 10,
    "maxLength": 40,
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}",
}
# Text PostgreSQL can store: no NUL character (refused with 422 naming the field).
NO_NUL = "^[^\\x00]*$"
TEXT = {"type": "string", "maxLength": 5000, "pattern": NO_NUL}
# Every id, number and count column is an INTEGER (PostgreSQL: up to 2^31 - 1).
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
# A reading on a checklist (bar, °C, mm...): far past any gauge, still a finite double.
READING = {"type": ["number", "null"], "minimum": -1e15, "maximum": 1e15}
