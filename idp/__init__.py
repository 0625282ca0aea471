"""Cédula identity provider: citizens, passkeys, SSO sessions and the OpenID Provider."""

from idp.app import create_app

__all__ = ["create_app"]
