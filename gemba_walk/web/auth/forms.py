"""Sign-in and user administration forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from gemba_walk.auth.operations import MAX_USERNAME_LENGTH, MIN_PASSWORD_LENGTH
from gemba_walk.core.i18n import LANGUAGES
from gemba_walk.core.i18n import lazy_gettext as _l
from gemba_walk.lean import ROLES, choices

_PASSWORD_LENGTH = _l(
    "The password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH
)


class LoginForm(FlaskForm):
    # One field for both names; it keeps the name "email" so bookmarks, password managers and
    # scripts that post it keep working.
    email = StringField(
        _l("Email or username"),
        validators=[InputRequired(_l("Enter your email address or username.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"), default=True)
    submit = SubmitField(_l("Sign in"))


class EditUserForm(FlaskForm):
    """Change an account: its name, sign-in names, role, password, whether it may sign in."""

    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")), Length(max=120)])
    email = EmailField(
        _l("Email"),
        description=_l(
            "Optional: needed for email notifications and to reset a forgotten password."
        ),
        validators=[
            Optional(),
            Email(_l("Enter a valid email address."), check_deliverability=False),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off"},
    )
    username = StringField(
        _l("Username"),
        description=_l(
            "Optional when there is an email address: letters or digits, with . _ or -, "
            "e.g. k.tanaka. For people without company email."
        ),
        validators=[Optional(), Length(max=MAX_USERNAME_LENGTH)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    role = SelectField(_l("Role"), choices=choices(ROLES), default="member")
    password = PasswordField(
        _l("Password"),
        render_kw={"autocomplete": "new-password"},
        description=_l("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
        validators=[
            Optional(),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=_PASSWORD_LENGTH),
        ],
    )
    active = BooleanField(_l("Active (may sign in)"), default=True)
    submit = SubmitField(_l("Save"))


class NewUserForm(EditUserForm):
    pass


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        description=_l(
            "At least %(count)s characters, not a common password. "
            "A few unrelated words make a good one.",
            count=MIN_PASSWORD_LENGTH,
        ),
        validators=[
            InputRequired(_l("Enter a new password.")),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=_PASSWORD_LENGTH),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Type the new password again.")),
            EqualTo("new_password", _l("The two new passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


class SignOutEverywhereForm(FlaskForm):
    submit = SubmitField(_l("Sign out on every device"))


class DisplayForm(FlaskForm):
    theme = RadioField(
        _l("Theme"),
        choices=[
            SelectChoice("auto", _l("Follow this phone's setting (light or dark)")),
            SelectChoice("light", _l("Light")),
            SelectChoice("dark", _l("Dark, high contrast — for the floor")),
        ],
        default="auto",
    )
    large_text = BooleanField(_l("Large text"))


class LanguageForm(FlaskForm):
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("", _l("As my browser says"))]
        + [SelectChoice(code, name) for code, name in LANGUAGES],
        default="",
    )
    submit = SubmitField(_l("Save language"))
