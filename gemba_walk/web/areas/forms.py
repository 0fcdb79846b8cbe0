"""Forms for sites and areas."""

from __future__ import annotations

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional, Regexp

from gemba_walk.auth.models import User
from gemba_walk.core.i18n import gettext
from gemba_walk.core.i18n import lazy_gettext as _l
from gemba_walk.core.localtime import time_zone_names
from gemba_walk.extensions import db
from gemba_walk.lean import DEFAULT_VERIFICATION_MODE, VERIFICATION_MODES

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$"


class SiteForm(FlaskForm):
    name = StringField(
        _l("Site name"), validators=[InputRequired(_l("Name the site.")), Length(max=120)]
    )
    timezone = SelectField(
        _l("Time zone"),
        default="UTC",
        description=_l("Every date and time of this site is shown in it, e.g. Europe/Berlin."),
        choices=[SelectChoice(name, name) for name in time_zone_names()],
        validate_choice=False,
        validators=[
            InputRequired(_l("Choose the site's time zone.")),
            AnyOf(
                time_zone_names(),
                message=_l(
                    "Choose the time zone from the list (IANA names such as Europe/Berlin)."
                ),
            ),
        ],
    )
    verification_mode = RadioField(
        _l("Who verifies a done ticket"),
        choices=[
            SelectChoice(term.key, f"{term.label} — {term.description}")
            for term in VERIFICATION_MODES
        ],
        default=DEFAULT_VERIFICATION_MODE,
        validators=[Optional()],  # left out: the site keeps its setting
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the modes in the language of the request (the class is built once, in English)
        self.verification_mode.choices = [
            SelectChoice(term.key, f"{gettext(term.label)} — {gettext(term.description)}")
            for term in VERIFICATION_MODES
        ]


class AreaForm(FlaskForm):
    site_id = SelectField(_l("Site"), coerce=int)
    name = StringField(
        _l("Area name"), validators=[InputRequired(_l("Name the area.")), Length(max=120)]
    )
    code = StringField(
        _l("Short code"),
        description=_l("Printed on the label and typed when a label is damaged, e.g. A-12."),
        validators=[
            InputRequired(_l("Give the area a short code.")),
            Regexp(
                CODE_PATTERN, message=_l("Use up to 16 letters, digits, dots or dashes, e.g. A-12.")
            ),
        ],
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    owner_id = SelectField(
        _l("Owner"), coerce=int, description=_l("Gets the area's kaizen tickets by default.")
    )

    def load_choices(self, sites) -> None:
        self.site_id.choices = [SelectChoice(site.id, site.name) for site in sites]
        users = db.session.scalars(sa.select(User).where(User.active).order_by(User.name))
        self.owner_id.choices = [SelectChoice(0, _l("— nobody yet —"))] + [
            SelectChoice(user.id, f"{user.name} ({user.sign_in_name})") for user in users
        ]
