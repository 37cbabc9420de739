"""The Flask explorer.  ``create_app`` opens the store once; nothing happens at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g, has_request_context


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides defaults and ``EVKG_*`` environment variables."""
    app = Flask(__name__)
    app.config.from_mapping(
        EVKG_STORE_DIR=str(Path(os.environ.get("EVKG_ROOT", ".")) / "var" / "store"),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        # Only the editor's upload may be larger: a review (8 MB), its .bib and claims.
        EVKG_MAX_UPLOAD=12 * 1024 * 1024,
        EVKG_SPARQL_TIMEOUT=10.0,
        EVKG_SPARQL_ROWS=10_000,
        # Queries evaluated at once (as many as the warm worker processes); more are told 503.
        EVKG_SPARQL_CONCURRENCY=2,
        JSON_SORT_KEYS=False,
    )
    app.config.from_prefixed_env("EVKG")  # EVKG_STORE_DIR=... arrives as STORE_DIR
    if "STORE_DIR" in app.config:
        app.config["EVKG_STORE_DIR"] = app.config["STORE_DIR"]
    for name in (
        "ROOT",
        "REVIEWS_DIR",
        "USERS_FILE",
        "SECRET_KEY",
        "SESSION_IDLE_MINUTES",
        "SESSION_MAX_HOURS",
        "MAX_UPLOAD",
        "SPARQL_TIMEOUT",
        "SPARQL_ROWS",
        "SPARQL_CONCURRENCY",
        "PROXY_HOPS",
    ):
        if name in app.config:
            app.config["EVKG_" + name] = app.config[name]
    if config:
        app.config.update(config)
    from kg.config import Settings
    from web import store_access

    # Where the library is (its folders, or a SPARQL server named by EVKG_STORE) is read
    # once, here, into the Settings that the CLI reads too; ``config`` wins over the
    # environment, as it does for every other setting.
    given = {k: str(v) for k, v in (config or {}).items() if k.startswith("EVKG_")}
    given["EVKG_STORE_DIR"] = str(app.config["EVKG_STORE_DIR"])
    settings = Settings.from_env({**os.environ, **given})
    app.config.setdefault("EVKG_USERS_FILE", str(settings.users_file))
    store_access.init_app(app, settings)

    from web import (
        api,
        appraisals,
        auth,
        editor,
        editor_accounts,
        editor_citations,
        editor_claims,
        editor_concepts,
        editor_reviews,
        errors,
        exports,
        pages,
        sparql,
        versions,
    )

    hops = int(app.config.get("EVKG_PROXY_HOPS", 0))
    if hops:
        # Behind this many reverse proxies (TLS ends there): take the client's address, the
        # scheme and the host from their X-Forwarded-* headers, and from no one else's.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    app.before_request(editor.allow_uploads)
    auth.init_app(app)
    sparql.init_app(app)

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(versions.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(appraisals.bp)
    app.register_blueprint(editor_accounts.bp)
    app.register_blueprint(editor_citations.bp)
    app.register_blueprint(editor_claims.bp)
    app.register_blueprint(editor_concepts.bp)
    app.register_blueprint(editor_reviews.bp)
    errors.init_app(app)

    @app.url_defaults
    def keep_version(endpoint: str, values: dict[str, Any]) -> None:
        # Links from a page of an older version stay in that version.
        version = g.get("evkg_version") if has_request_context() else None
        answers = endpoint.startswith(("pages.", "exports.answer_", "exports.brief"))
        if version and answers and "version" not in values:
            values["version"] = version

    @app.context_processor
    def version_banner() -> dict[str, Any]:
        return {"viewed_version": g.get("evkg_version")}

    @app.after_request
    def security_headers(response: Any) -> Any:
        # Everything is served from here: no CDN, no inline script, no framing.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; "
            "base-uri 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app
