"""Admins add and remove editors in the browser (``/editor/accounts``).

Only an admin sees these pages; an editor who is not one gets 403.  The first admin is made
on the server with ``evkg user add NAME --admin``.  An admin cannot remove themselves, so
that there is always someone who can.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from web.accounts import MIN_PASSWORD, AccountError
from web.auth import accounts, current_editor, editor_required

bp = Blueprint("editor_accounts", __name__, url_prefix="/editor/accounts")


def _admin() -> str:
    name = current_editor()
    if name is None or not accounts().is_admin(name):
        abort(403, description="Only an admin may add or remove editors.")
    return name


@bp.route("/", methods=["GET", "POST"])
@editor_required
def manage() -> ResponseReturnValue:
    """The editors, a form to add one, and a button to remove each."""
    me = _admin()
    error = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        try:
            if password != request.form.get("again", ""):
                raise AccountError("the two passwords differ")
            accounts().add(name, password, admin=request.form.get("admin") == "yes")
        except AccountError as exc:
            error = str(exc)
        else:
            flash(f"Added the editor {name}. Give them their password in person, not by email.")
            return redirect(url_for("editor_accounts.manage"))
    store = accounts()
    return render_template(
        "editor/accounts.html",
        names=store.names(),
        admins=set(store.admins()),
        me=me,
        error=error,
        min_password=MIN_PASSWORD,
    ), (400 if error else 200)


@bp.post("/<name>/remove")
@editor_required
def remove(name: str) -> ResponseReturnValue:
    """Remove an editor: their sessions end at their next request."""
    me = _admin()
    if name == me:
        abort(400, description="You cannot remove your own account: ask another admin.")
    try:
        accounts().remove(name)
    except AccountError as exc:
        abort(404, description=str(exc))
    flash(f"Removed the editor {name}; they are signed out everywhere.")
    return redirect(url_for("editor_accounts.manage"))
