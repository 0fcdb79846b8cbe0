"""The andon's forms: the report from the label, a leader's decision."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import UUID, InputRequired, Length, Optional

from gemba_walk.andon.operations import MAX_DESCRIPTION, MAX_NAME
from gemba_walk.core.i18n import lazy_gettext as _l
from gemba_walk.lean import ABNORMALITY_CATEGORIES, SEVERITIES

# SQDCE in the person's language (lean.py keeps the keys; these are the words people read).
CATEGORY_WORDS = {
    "safety": _l("Safety"),
    "quality": _l("Quality"),
    "delivery": _l("Delivery"),
    "cost": _l("Cost"),
    "environment": _l("Environment"),
}
SEVERITY_WORDS = {
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    "critical": _l("Critical / safety"),
}


class ReportForm(FlaskForm):
    category = RadioField(
        _l("What kind of problem?"),
        choices=[SelectChoice(t.key, CATEGORY_WORDS[t.key]) for t in ABNORMALITY_CATEGORIES],
        validators=[InputRequired(_l("Choose what kind of problem it is."))],
    )
    description = TextAreaField(
        _l("What did you see?"),
        validators=[
            InputRequired(_l("Write what you saw: a report needs a few words.")),
            Length(max=MAX_DESCRIPTION),
        ],
        render_kw={"rows": 4},
    )
    photo = FileField(
        _l("Photo (optional)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"},
    )
    # Set by the page's script: the id the device keeps the report under until it is sent.
    report_uuid = HiddenField(validators=[Optional(), UUID(_l("This report's id is damaged."))])
    reporter_name = StringField(
        _l("Your name (optional)"),
        description=_l("So a leader can thank you or ask you about it."),
        validators=[Length(max=MAX_NAME)],
        render_kw={"autocomplete": "name"},
    )


class AcceptForm(FlaskForm):
    severity = SelectField(
        _l("How serious?"),
        choices=[SelectChoice(term.key, SEVERITY_WORDS[term.key]) for term in SEVERITIES],
        default="medium",
    )


class DismissForm(FlaskForm):
    reason = StringField(
        _l("Why dismiss it?"),
        validators=[InputRequired(_l("Say why it is dismissed, for whoever reads it later."))],
    )
