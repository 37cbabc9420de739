"""Editor sign-in, sessions that expire, and CSRF protection for every form.

- **Sessions** are Flask's signed cookies (HttpOnly, SameSite=Strict).  A session holds
  the editor's name, when they signed in and when they were last seen; it ends after
  ``EVKG_SESSION_IDLE_MINUTES`` without a request or ``EVKG_SESSION_MAX_HOURS`` after
  sign-in, whichever comes first, and at once when the account is removed.
- **CSRF**: every request that could change something (POST, PUT, PATCH, DELETE) must carry
  the session's token in a ``csrf_token`` form field or an ``X-CSRF-Token`` header, and,
  when the browser says where it comes from (``Origin`` or ``Referer``), come from this
  site.  Otherwise it is refused with 400.  The read-only SPARQL endpoint is exempt: it
  takes no cookie and never sets one.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, session, url_for

from ingest.safe_files import write_atomically
from web.accounts import Accounts
from web.throttle import LoginThrottle

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Read-only endpoints that take no cookie: CSRF cannot make them change anything.
CSRF_EXEMPT = frozenset({"sparql.sparql"})


def init_app(app: Flask) -> None:
    """Configure sessions and register the CSRF check."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="evkg_session",
    )
    app.config.setdefault("SESSION_COOKIE_SECURE", False)  # True behind HTTPS
    app.config.setdefault("EVKG_SESSION_IDLE_MINUTES", 30.0)
    app.config.setdefault("EVKG_SESSION_MAX_HOURS", 8.0)
    app.extensions["evkg.login_throttle"] = LoginThrottle()
    app.before_request(_check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["current_editor"] = current_editor


def accounts() -> Accounts:
    """The app's editor accounts."""
    return Accounts(Path(current_app.config["EVKG_USERS_FILE"]))


def csrf_token() -> str:
    """The session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def sign_in(name: str) -> None:
    """Start a fresh session for an editor (a new token too: no session fixation)."""
    session.clear()
    now = time.time()
    session.update(
        editor=name,
        signed_in=now,
        seen=now,
        csrf=secrets.token_urlsafe(32),
        account=accounts().fingerprint(name),
    )


def sign_out() -> None:
    """End this session, and every other session of the same editor (a copied cookie too)."""
    name = session.get("editor")
    session.clear()
    if isinstance(name, str):
        accounts().end_sessions(name)


def current_editor() -> str | None:
    """The signed-in editor, or None (also when the session has expired)."""
    name = session.get("editor")
    if not isinstance(name, str):
        return None
    now = time.time()
    idle = current_app.config["EVKG_SESSION_IDLE_MINUTES"] * 60
    longest = current_app.config["EVKG_SESSION_MAX_HOURS"] * 3600
    seen, signed_in = session.get("seen", 0), session.get("signed_in", 0)
    # The account's fingerprint changes with its password and when its sessions are ended;
    # a removed account has none.
    fingerprint = accounts().fingerprint(name)
    if (
        now - seen > idle
        or now - signed_in > longest
        or fingerprint is None
        or session.get("account") != fingerprint
    ):
        session.clear()
        return None
    session["seen"] = now
    return name


def editor_required(view: F) -> F:
    """Send visitors who are not signed in to the sign-in page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_editor() is None:
            return redirect(url_for("editor.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _check_csrf() -> None:
    if request.method not in UNSAFE_METHODS or request.endpoint in CSRF_EXEMPT:
        return
    if request.endpoint is None:  # no such page: let routing answer 404/405
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
    expected = session.get("csrf")
    # Compared as bytes: compare_digest refuses non-ASCII text, and a 500 is no answer.
    if not isinstance(expected, str) or not secrets.compare_digest(
        sent.encode("utf-8"), expected.encode("utf-8")
    ):
        abort(
            400,
            description="This form has expired or did not come from this site. "
            "Go back, reload the page and try again.",
        )
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin and not _same_origin(origin):
        abort(400, description="This request came from another site and was refused.")


def _same_origin(url: str) -> bool:
    theirs = urlsplit(url)
    ours = urlsplit(request.host_url)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


def _secret_key(app: Flask) -> str:
    """``EVKG_SECRET_KEY``, else a random key kept beside the store (made once, mode 0600)."""
    given = app.config.get("EVKG_SECRET_KEY")
    if given:
        return str(given)
    path = Path(app.config["EVKG_STORE_DIR"]).parent / "secret_key"
    if not path.is_file():
        # Written whole under another name, then linked into place: two servers starting
        # at once agree on one key (the link of the second fails and it reads the first's).
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".secret_key-{secrets.token_hex(4)}")
        write_atomically(draft, secrets.token_hex(32), 0o600)
        try:
            path.hardlink_to(draft)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text("utf-8").strip()
