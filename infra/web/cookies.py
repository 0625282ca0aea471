"""Cookies that tie a short flow to one browser (a wallet request's binding, a reclaim claim):
HttpOnly, SameSite=Lax; with an https issuer also Secure and named `__Host-` (RFC 6265bis,
section 4.1.3.2: no Domain, Path=/), so that no sibling host can plant or overwrite them, as the
session and CSRF cookies (`idp.sessions`, `infra.web.csrf`). Over http (development) they keep
their plain name and the flow's path."""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from infra.config import get_settings

HOST_PREFIX = "__Host-"


def flow_cookie_name(base: str, *, secure: bool) -> str:
    return (HOST_PREFIX if secure else "") + base


def flow_cookie_path(path: str, *, secure: bool) -> str:
    """`__Host-` cookies must have Path=/."""
    return "/" if secure else path


def set_flow_cookie(response: Response, base: str, value: str, *, max_age: int, path: str) -> None:
    secure = get_settings().secure
    response.set_cookie(flow_cookie_name(base, secure=secure), value, max_age=max_age,
                        path=flow_cookie_path(path, secure=secure), httponly=True, samesite="Lax",
                        secure=secure)


def read_flow_cookie(base: str) -> str | None:
    return request.cookies.get(flow_cookie_name(base, secure=get_settings().secure))


def delete_flow_cookie(response: Response, base: str, *, path: str) -> None:
    secure = get_settings().secure
    response.delete_cookie(flow_cookie_name(base, secure=secure), path=flow_cookie_path(path, secure=secure),
                           httponly=True, samesite="Lax", secure=secure)


__all__ = ["delete_flow_cookie", "flow_cookie_name", "flow_cookie_path", "read_flow_cookie", "set_flow_cookie"]
