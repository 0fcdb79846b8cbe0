"""Admin pages to create, edit and deactivate users."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from gemba_walk.auth.models import User
from gemba_walk.auth.operations import (
    AccountError,
    PasswordError,
    SignInNameError,
    create_user,
    list_users,
    update_user,
)
from gemba_walk.auth.roles import admin_required
from gemba_walk.core.i18n import gettext as _
from gemba_walk.extensions import db
from gemba_walk.web.auth.forms import EditUserForm, NewUserForm


def _name_error(form, error: SignInNameError) -> None:
    """Show a refused sign-in name under the field it is about."""
    field = (error.details or {}).get("field", "email")
    form[field].errors.append(error.message)


bp = Blueprint("users", __name__, url_prefix="/admin/users")


@bp.get("/")
@admin_required
def index():
    """List every user, active ones first."""
    return render_template("users/index.html", users=list_users())


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Create a user with a role and a first password."""
    form = NewUserForm()
    status = 200
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("Give the new user a first password."))
        else:
            try:
                user = create_user(
                    form.email.data,
                    form.name.data,
                    form.role.data,
                    form.password.data,
                    username=form.username.data,
                )
            except PasswordError as error:
                form.password.errors.append(str(error))
            except SignInNameError as error:
                _name_error(form, error)
            except AccountError as error:
                form.email.errors.append(str(error))
            else:
                flash(_("Created %(name)s (%(role)s).", name=user.name, role=user.role), "success")
                return redirect(url_for("users.index"))
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("users/form.html", form=form, user=None), status


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit(user_id: int):
    """Change a user's name, role, password or whether they may sign in."""
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user)
    status = 200
    if form.validate_on_submit():
        try:
            update_user(
                user,
                acting=current_user,
                name=form.name.data,
                role=form.role.data,
                active=form.active.data,
                password=form.password.data or None,
                email=form.email.data,
                username=form.username.data,
            )
        except PasswordError as error:
            form.password.errors.append(str(error))
        except SignInNameError as error:
            _name_error(form, error)
        except AccountError as error:
            form.role.errors.append(str(error))
        else:
            flash(_("Saved %(name)s.", name=user.name), "success")
            return redirect(url_for("users.index"))
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("users/form.html", form=form, user=user), status
