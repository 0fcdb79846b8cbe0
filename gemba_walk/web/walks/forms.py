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
from gemba_walk.core.i18n import lazy_gettext as _l
from gemba_walk.extensions import db
from gemba_walk.walks.models import Layer

WEEKDAYS = [
    SelectChoice("0", _l("Mon")),
    SelectChoice("1", _l("Tue")),
    SelectChoice("2", _l("Wed")),
    SelectChoice("3", _l("Thu")),
    SelectChoice("4", _l("Fri")),
    SelectChoice("5", _l("Sat")),
    SelectChoice("6", _l("Sun")),
]
FREQUENCY_CHOICES = [
    SelectChoice("daily", _l("Daily (every day)")),
    SelectChoice("weekdays", _l("Chosen weekdays")),
    SelectChoice("every_shift", _l("Every shift")),
    SelectChoice("weekly", _l("Weekly (Monday to Sunday)")),
    SelectChoice("monthly", _l("Monthly (on a day of the month)")),
]


class PlanForm(FlaskForm):
    name = StringField(
        _l("Plan name"), validators=[InputRequired(_l("Name the plan.")), Length(max=120)]
    )
    template_id = SelectField(_l("Checklist"), coerce=int)
    frequency = SelectField(_l("How often"), choices=FREQUENCY_CHOICES)
    weekdays = SelectMultipleField(
        _l("Weekdays"), choices=WEEKDAYS, default=["0", "1", "2", "3", "4"]
    )
    day_of_month = IntegerField(
        _l("Day of the month"),
        description=_l("For monthly plans; 31 means the last day of every month."),
        validators=[Optional(), NumberRange(1, 31, _l("Choose a day from 1 to 31."))],
    )
    layer_id = SelectField(_l("Layer"), coerce=int)
    person_ids = SelectMultipleField(_l("Or named people"), coerce=int)
    area_ids = SelectMultipleField(_l("Areas"), coerce=int)
    rotate = BooleanField(_l("Rotate the areas among the people (each a different area each time)"))
    starts_on = DateField(_l("Starts on"), default=date.today)

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
        self.layer_id.choices = [SelectChoice(0, _l("— named people instead —"))] + [
            SelectChoice(x.id, x.name) for x in layers
        ]
        users = db.session.scalars(sa.select(User).where(User.active).order_by(User.name))
        self.person_ids.choices = [SelectChoice(u.id, u.name) for u in users]
        areas = db.session.scalars(
            sa.select(Area).where(Area.site_id == site.id, Area.active).order_by(Area.code)
        )
        self.area_ids.choices = [SelectChoice(a.id, f"{a.code} · {a.name}") for a in areas]


class LayerForm(FlaskForm):
    name = StringField(
        _l("Layer name"), validators=[InputRequired(_l("Name the layer.")), Length(max=80)]
    )
    rank = IntegerField(
        _l("Level"),
        default=1,
        description=_l("1 = closest to the line (team leader)."),
        validators=[
            InputRequired(_l("Give the level.")),
            NumberRange(1, 9, _l("Use a level from 1 to 9.")),
        ],
    )


class ShiftForm(FlaskForm):
    name = StringField(
        _l("Shift name"), validators=[InputRequired(_l("Name the shift.")), Length(max=40)]
    )
    starts = TimeField(_l("Starts"), validators=[InputRequired(_l("Give the start time."))])
    ends = TimeField(
        _l("Ends"),
        description=_l("Earlier than the start = ends the next day (night shift)."),
        validators=[InputRequired(_l("Give the end time."))],
    )
    weekdays = SelectMultipleField(
        _l("Works on"), choices=WEEKDAYS, default=["0", "1", "2", "3", "4"]
    )


class MemberForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int)
    layer_id = SelectField(_l("Layer"), coerce=int)
