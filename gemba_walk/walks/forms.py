"""Forms for walk plans, layers and shifts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from gemba_walk.areas.models import Area, Site
from gemba_walk.auth.models import User
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.extensions import db
from gemba_walk.walks.models import Layer

WEEKDAYS = [
    SelectChoice("0", "Mon"),
    SelectChoice("1", "Tue"),
    SelectChoice("2", "Wed"),
    SelectChoice("3", "Thu"),
    SelectChoice("4", "Fri"),
    SelectChoice("5", "Sat"),
    SelectChoice("6", "Sun"),
]
FREQUENCY_CHOICES = [
    SelectChoice("daily", "Daily (every day)"),
    SelectChoice("weekdays", "Chosen weekdays"),
    SelectChoice("every_shift", "Every shift"),
    SelectChoice("weekly", "Weekly (Monday to Sunday)"),
    SelectChoice("monthly", "Monthly (on a day of the month)"),
]


class PlanForm(FlaskForm):
    name = StringField("Plan name", validators=[InputRequired("Name the plan."), Length(max=120)])
    template_id = SelectField("Checklist", coerce=int)
    frequency = SelectField("How often", choices=FREQUENCY_CHOICES)
    weekdays = SelectMultipleField("Weekdays", choices=WEEKDAYS, default=["0", "1", "2", "3", "4"])
    day_of_month = IntegerField(
        "Day of the month",
        description="For monthly plans; 31 means the last day of every month.",
        validators=[Optional(), NumberRange(1, 31, "Choose a day from 1 to 31.")],
    )
    layer_id = SelectField("Layer", coerce=int)
    person_ids = SelectMultipleField("Or named people", coerce=int)
    area_ids = SelectMultipleField("Areas", coerce=int)
    rotate = BooleanField("Rotate the areas among the people (each a different area each time)")
    starts_on = DateField("Starts on", default=date.today)

    def load_choices(self, site: Site) -> None:
        templates = db.session.scalars(
            sa.select(ChecklistTemplate)
            .where(~ChecklistTemplate.retired)
            .order_by(ChecklistTemplate.name)
        )
        self.template_id.choices = [SelectChoice(t.id, t.name) for t in templates]
        layers = db.session.scalars(
            sa.select(Layer).where(Layer.site_id == site.id).order_by(Layer.rank, Layer.name)
        )
        self.layer_id.choices = [SelectChoice(0, "— named people instead —")] + [
            SelectChoice(x.id, x.name) for x in layers
        ]
        users = db.session.scalars(sa.select(User).where(User.active).order_by(User.name))
        self.person_ids.choices = [SelectChoice(u.id, u.name) for u in users]
        areas = db.session.scalars(
            sa.select(Area).where(Area.site_id == site.id, Area.active).order_by(Area.code)
        )
        self.area_ids.choices = [SelectChoice(a.id, f"{a.code} · {a.name}") for a in areas]


class LayerForm(FlaskForm):
    name = StringField("Layer name", validators=[InputRequired("Name the layer."), Length(max=80)])
    rank = IntegerField(
        "Level",
        default=1,
        description="1 = closest to the line (team leader).",
        validators=[
            InputRequired("Give the level."),
            NumberRange(1, 9, "Use a level from 1 to 9."),
        ],
    )


class ShiftForm(FlaskForm):
    name = StringField("Shift name", validators=[InputRequired("Name the shift."), Length(max=40)])
    starts = TimeField("Starts", validators=[InputRequired("Give the start time.")])
    ends = TimeField(
        "Ends",
        description="Earlier than the start = ends the next day (night shift).",
        validators=[InputRequired("Give the end time.")],
    )
    weekdays = SelectMultipleField("Works on", choices=WEEKDAYS, default=["0", "1", "2", "3", "4"])


class MemberForm(FlaskForm):
    user_id = SelectField("Person", coerce=int)
    layer_id = SelectField("Layer", coerce=int)
