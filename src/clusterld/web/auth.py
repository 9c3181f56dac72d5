"""Who may write: the maintainer with the bearer token from ``CLUSTERLD_TOKEN``.

No token configured → the server is read-only and every write is 403. A missing or wrong
token → 401 with ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

import hmac

from flask import current_app, request
from werkzeug.exceptions import Forbidden, HTTPException


class Unauthorized(HTTPException):
    """401 asking for the bearer token."""

    code = 401
    description = "this request changes data: send the maintainer's bearer token"

    def get_headers(self, environ=None, scope=None) -> list[tuple[str, str]]:  # type: ignore[override]
        return [*super().get_headers(environ, scope),
                ("WWW-Authenticate", 'Bearer realm="clusterld"')]


def writes_enabled() -> bool:
    """Whether a maintainer token is configured."""
    return bool(current_app.config.get("CLUSTERLD_TOKEN"))


def require_maintainer() -> None:
    """Raise 403 (read-only server) or 401 (no or wrong token) unless the token matches."""
    token = current_app.config.get("CLUSTERLD_TOKEN")
    if not token:
        raise Forbidden("this server is read-only (no maintainer token is configured)")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                             str(token).encode()):
        raise Unauthorized()
