"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from gemba_walk.auth.models import User
from gemba_walk.auth.operations import (
    AccountError,
    PasswordError,
    SignInLocked,
    authenticate,
    change_own_password,
    set_display,
    set_language,
)
from gemba_walk.auth.sessions import count_sessions, end_all_sessions, end_session, start_session
from gemba_walk.auth.tokens import SCOPES, TokenError, create_token, tokens_of
from gemba_walk.auth.tokens import revoke_token as revoke
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.i18n import ngettext, refresh_locale
from gemba_walk.extensions import db, limiter
from gemba_walk.web.auth.forms import (
    ChangePasswordForm,
    DisplayForm,
    LanguageForm,
    LoginForm,
    SignOutEverywhereForm,
)

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only ever redirect back into this app after sign-in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("core.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    """Show the sign-in form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if not form.is_submitted() and request.args.get("switch"):
        # The next person on a shared tablet: a session of their own, not one kept for weeks.
        form.remember.data = False
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data, request.remote_addr or "")
        except SignInLocked as locked:
            form.password.errors.append(
                ngettext(
                    "Too many wrong passwords for this email or username. Wait %(num)d minute "
                    "and try again, or ask an admin to set a new password.",
                    "Too many wrong passwords for this email or username. Wait %(num)d minutes "
                    "and try again, or ask an admin to set a new password.",
                    locked.minutes,
                )
            )
            return render_template("auth/login.html", form=form), 429
        if user is not None:
            _sign_in(user, remember=form.remember.data)
            refresh_locale()  # the person's own language from now on
            flash(_("Signed in as %(name)s.", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Email, username or password is incorrect."))
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template(
        "auth/login.html", form=form, switching=request.args.get("switch") == "1"
    ), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST, so a stray link cannot sign anyone out). The session ends on the
    server too: a copy of this device's cookies no longer signs anyone in."""
    if current_user.is_authenticated:
        end_session(current_user)
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/switch-person")
def switch_person():
    """On a shared tablet: sign this person out and open sign-in for the next one, who lands
    back on the page the first was on. Records stay with their author (the phone hides and
    holds them until that person signs in here again)."""
    name = current_user.name if current_user.is_authenticated else None
    if current_user.is_authenticated:
        end_session(current_user)
    logout_user()
    if name:
        flash(_("%(name)s is signed out. Next person: sign in.", name=name), "info")
    back = request.form.get("next") or ""
    target = _safe_next(back) if back else None
    return redirect(url_for("auth.login", next=target, switch="1"))


def _sign_in(user, remember: bool) -> None:
    start_session(user, request.headers.get("User-Agent", ""))
    login_user(user, remember=remember)


@bp.get("/account")
@login_required
def account():
    """Your account: your language, change your password, sign out on every device."""
    return _account_page(ChangePasswordForm(), SignOutEverywhereForm())


def _account_page(
    password_form, everywhere_form, status: int = 200, display_form=None, language_form=None
):
    if display_form is None:
        display_form = DisplayForm(
            formdata=None, theme=current_user.theme, large_text=current_user.large_text
        )
    if language_form is None:
        language_form = LanguageForm(language=current_user.language or "")
    return render_template(
        "auth/account.html",
        password_form=password_form,
        everywhere_form=everywhere_form,
        display_form=display_form,
        language_form=language_form,
        devices=count_sessions(current_user.id),
    ), status


@bp.post("/account/language")
@login_required
def change_language():
    """Pick the language the app speaks to you, or follow the browser's."""
    form = LanguageForm()
    if not form.validate_on_submit():
        return _account_page(ChangePasswordForm(), SignOutEverywhereForm(), 422, language_form=form)
    set_language(current_user._get_current_object(), form.language.data or None)
    refresh_locale()
    flash(_("Language saved."), "success")  # in the language just chosen
    return redirect(url_for("auth.account"))


@bp.post("/account/password")
@login_required
def change_password():
    """Change your own password; every other device is signed out, this one stays in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        remembered = request.cookies.get(current_app.config["REMEMBER_COOKIE_NAME"]) is not None
        try:
            change_own_password(user, form.current_password.data, form.new_password.data)
        except PasswordError as error:
            form.new_password.errors.append(str(error))
        except AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            _sign_in(user, remember=remembered)
            flash(_("Password changed. Every other device is signed out."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(form, SignOutEverywhereForm(), 422)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of yours: this device, other phones, forgotten browsers."""
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():
        return _account_page(ChangePasswordForm(), form, 400)
    ended = end_all_sessions(current_user.id)
    logout_user()
    flash(
        _("Signed out on every device (%(count)s). Sign in again to continue.", count=ended),
        "info",
    )
    return redirect(url_for("auth.login"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """API tokens: make one (shown once), see when each was last used, revoke."""
    made, error, status = None, None, 200
    if request.method == "POST":
        owner = current_user
        if current_user.is_admin and request.form.get("user_id"):
            owner = (
                db.session.get(User, int(request.form["user_id"] or 0))
                if (request.form["user_id"].isdigit() and len(request.form["user_id"]) < 10)
                else None
            )
        try:
            if owner is None:
                raise TokenError(422, "unknown_user", _("Choose who the token is for."))
            made = create_token(
                owner, current_user, request.form.get("name", ""), request.form.getlist("scope")
            )[1]
        except TokenError as refused:
            error, status = refused.message, refused.status
    people = (
        list(db.session.scalars(sa.select(User).where(User.active).order_by(User.name)))
        if current_user.is_admin
        else []
    )
    page = render_template(
        "auth/tokens.html",
        tokens=tokens_of(current_user),
        scopes=SCOPES,
        made=made,
        error=error,
        people=people,
    )
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"  # a new token is on this page once
    return response


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = revoke(token_id, current_user)
    flash(_("Token “%(name)s” is revoked: it opens nothing any more.", name=token.name), "success")
    return redirect(url_for("auth.tokens"))


@bp.post("/account/display")
@login_required
def change_display():
    """Theme (follow the phone, light, dark high contrast) and large text, for this person."""
    form = DisplayForm()
    if form.validate_on_submit():
        try:
            set_display(current_user._get_current_object(), form.theme.data, form.large_text.data)
        except AccountError as error:
            form.theme.errors = [str(error)]
        else:
            flash(_("Display saved."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(ChangePasswordForm(), SignOutEverywhereForm(), 422, display_form=form)
