"""The web form for reporting a problem straight onto the board (no phone walk needed)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from gemba_walk.lean import ABNORMALITY_CATEGORIES, SEVERITIES, choices


class ReportProblemForm(FlaskForm):
    area_id = SelectField("Area", coerce=int, validators=[InputRequired("Choose the area.")])
    category = SelectField("What kind of problem", choices=choices(ABNORMALITY_CATEGORIES))
    severity = SelectField("How serious", choices=choices(SEVERITIES), default="medium")
    description = TextAreaField(
        "What did you see? What should it be?",
        validators=[DataRequired("Describe the problem."), Length(max=5000)],
    )
    same_as = SelectField(
        "Is it a problem that already has an open ticket?",
        coerce=str,
        validate_choice=False,  # checked against the chosen area in the view
        description="Choose its ticket to add this as another occurrence; otherwise a new "
        "ticket opens.",
    )
    photo = FileField("Photo (optional)", render_kw={"accept": "image/*", "capture": "environment"})
    submit = SubmitField("Report — open a ticket")
