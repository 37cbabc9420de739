"""Errors as friendly HTML pages, or as JSON under /api."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException


def init_app(app: Flask) -> None:
    """Register one handler for every HTTP error."""

    @app.errorhandler(HTTPException)
    def handle(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if request.path.startswith("/api/"):
            return jsonify({"error": error.name, "message": error.description}), code
        # Our own abort() calls say what is missing; werkzeug's stock 404 text does not.
        custom = "requested URL" not in str(error.description)
        return render_template("error.html", error=error, custom=custom), code
