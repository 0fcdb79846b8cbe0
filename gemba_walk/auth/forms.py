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

from gemba_walk.auth.operations import MIN_PASSWORD_LENGTH
from gemba_walk.lean import ROLES, choices


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[InputRequired("Enter your email address."), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device", default=True)
    submit = SubmitField("Sign in")


class EditUserForm(FlaskForm):
    """Change an account; the email is the sign-in name and is not edited."""

    name = StringField("Name", validators=[InputRequired("Enter a name."), Length(max=120)])
    role = SelectField("Role", choices=choices(ROLES), default="member")
    password = PasswordField(
        "Password",
        render_kw={"autocomplete": "new-password"},
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
        validators=[
            Optional(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
            ),
        ],
    )
    active = BooleanField("Active (may sign in)", default=True)
    submit = SubmitField("Save")


class NewUserForm(EditUserForm):
    email = EmailField(
        "Email",
        validators=[
            InputRequired("Enter an email address."),
            Email("Enter a valid email address.", check_deliverability=False),
            Length(max=254),
        ],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters, not a common password. "
        "A few unrelated words make a good one.",
        validators=[
            InputRequired("Enter a new password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            InputRequired("Type the new password again."),
            EqualTo("new_password", "The two new passwords are not the same."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Change password")


class SignOutEverywhereForm(FlaskForm):
    submit = SubmitField("Sign out on every device")


class DisplayForm(FlaskForm):
    theme = RadioField(
        "Theme",
        choices=[
            SelectChoice("auto", "Follow this phone's setting (light or dark)"),
            SelectChoice("light", "Light"),
            SelectChoice("dark", "Dark, high contrast — for the floor"),
        ],
        default="auto",
    )
    large_text = BooleanField("Large text")
