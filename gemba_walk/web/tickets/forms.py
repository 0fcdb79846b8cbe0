"""The web form for reporting a problem straight onto the board (no phone walk needed)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from gemba_walk.core.i18n import lazy_gettext as _l
from gemba_walk.lean import ABNORMALITY_CATEGORIES, SEVERITIES, choices


class ReportProblemForm(FlaskForm):
    area_id = SelectField(
        _l("Area"), coerce=int, validators=[InputRequired(_l("Choose the area."))]
    )
    category = SelectField(_l("What kind of problem"), choices=choices(ABNORMALITY_CATEGORIES))
    severity = SelectField(_l("How serious"), choices=choices(SEVERITIES), default="medium")
    description = TextAreaField(
        _l("What did you see? What should it be?"),
        validators=[DataRequired(_l("Describe the problem.")), Length(max=5000)],
    )
    same_as = SelectField(
        _l("Is it a problem that already has an open ticket?"),
        coerce=str,
        validate_choice=False,  # checked against the chosen area in the view
        description=_l(
            "Choose its ticket to add this as another occurrence; otherwise a new ticket opens."
        ),
    )
    photo = FileField(
        _l("Photo (optional)"), render_kw={"accept": "image/*", "capture": "environment"}
    )
    submit = SubmitField(_l("Report — open a ticket"))
