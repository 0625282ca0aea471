"""The `[notify]` settings, read and checked once at start (documented in config/default.toml).

The SMTP password never sits in a settings file: it comes from the environment
(CEDULA_NOTIFY_SMTP_PASSWORD) or from a file (`smtp_password_file`, e.g. a mounted secret).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from infra.config import ConfigError
from infra.notify.smtp import SECURITY, SmtpSettings

EMAIL_TRANSPORTS = ("outbox", "smtp")
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class NotifySettings:
    email: str
    smtp: SmtpSettings | None
    retry_after_seconds: int


def _whole(section: Mapping[str, Any], key: str, minimum: int = 1) -> int:
    value = section.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"notify.{key} must be a whole number >= {minimum}, got {value!r}")
    return value


def _password(section: Mapping[str, Any]) -> str:
    path = str(section.get("smtp_password_file") or "")
    if not path:
        return str(section.get("smtp_password") or "")
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"notify.smtp_password_file: cannot read {path!r} ({exc})") from None


def load(settings: Mapping[str, Mapping[str, Any]]) -> NotifySettings:
    section = settings["notify"]
    email = section.get("email")
    if email not in EMAIL_TRANSPORTS:
        raise ConfigError(f"notify.email must be one of {', '.join(EMAIL_TRANSPORTS)}; got {email!r}")
    retry_after = _whole(section, "retry_after_seconds")
    if email == "outbox":
        return NotifySettings(email="outbox", smtp=None, retry_after_seconds=retry_after)
    host = str(section.get("smtp_host") or "")
    if not host:
        raise ConfigError("notify.smtp_host must name the mail server when notify.email is \"smtp\"")
    security = section.get("smtp_security")
    if security not in SECURITY:
        raise ConfigError(f"notify.smtp_security must be one of {', '.join(SECURITY)}; got {security!r}")
    if security == "none" and host not in LOOPBACK:
        raise ConfigError(f"notify.smtp_security = \"none\" sends mail unencrypted; it is allowed "
                          f"only for a relay on this machine, not {host!r}")
    sender = str(section.get("sender") or "")
    if "@" not in parseaddr(sender)[1] or any(c in sender for c in "\r\n"):
        raise ConfigError(f"notify.sender must be an e-mail address, got {sender!r}")
    timeout = section.get("smtp_timeout_seconds")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 300:
        raise ConfigError(f"notify.smtp_timeout_seconds must be a number of seconds in (0, 300], "
                          f"got {timeout!r}")
    ca_file = str(section.get("smtp_ca_file") or "")
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"notify.smtp_ca_file: {ca_file!r} is not a file")
    return NotifySettings(email="smtp", retry_after_seconds=retry_after, smtp=SmtpSettings(
        host=host, port=_whole(section, "smtp_port"), security=str(security), sender=sender,
        username=str(section.get("smtp_username") or ""), password=_password(section),
        timeout_seconds=float(timeout), ca_file=ca_file, retry_after_seconds=retry_after))


__all__ = ["EMAIL_TRANSPORTS", "NotifySettings", "load"]
