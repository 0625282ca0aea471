"""The `[notify]` settings, read and checked once at start (documented in config/default.toml).

The SMTP password never sits in a settings file: it comes from the environment
(CEDULA_NOTIFY_SMTP_PASSWORD) or from a file (`smtp_password_file`, e.g. a mounted secret).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.config import MAX_RETRY_AFTER_SECONDS, PORTS, ConfigError, Section, read_section
from infra.email_address import is_email_address, is_host
from infra.notify.smtp import SECURITY, SmtpSettings

EMAIL_TRANSPORTS = ("outbox", "smtp")
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class NotifySettings:
    email: str
    smtp: SmtpSettings | None
    retry_after_seconds: int
    background: bool = True      # a thread of every process sends the queued messages
    poll_seconds: float = 2.0    # how often it looks for due ones


def _password(section: Section) -> str:
    path = section.text("smtp_password_file")
    if not path:
        return section.text("smtp_password")
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"notify.smtp_password_file: cannot read {path!r} ({exc})") from None


def load(settings: Mapping[str, Mapping[str, Any]]) -> NotifySettings:
    section = read_section(settings, "notify")
    email = section.choice("email", EMAIL_TRANSPORTS)
    # the Retry-After of the 503 a page or API answers when the mail server fails: -7 or 1e15
    # was sent as it was (RFC 9110 10.2.3 allows no negative delay); the server-wide bound
    retry_after = section.whole("retry_after_seconds", minimum=1, maximum=MAX_RETRY_AFTER_SECONDS, unit="seconds")
    background = section.flag("background")
    poll_seconds = section.number("poll_seconds", minimum=0.05, maximum=3600)
    # checked whichever the transport, so switching to "smtp" later does not meet them first
    port = section.whole("smtp_port", minimum=PORTS[0], maximum=PORTS[1])
    timeout = section.number("smtp_timeout_seconds", minimum=0.1, maximum=300, unit="seconds")
    # checked when set whichever the transport, as the port: a sender of "no-reply" or a host of
    # "mail.example.gov:25" was taken with email = "outbox" and met only when switching to smtp
    sender = section.text("sender")
    if sender and not is_email_address(sender):
        raise ConfigError(f"notify.sender must be an e-mail address (user@host or Name <user@host>), got {sender!r}")
    host = section.text("smtp_host")
    if host and not is_host(host):
        raise ConfigError(f"notify.smtp_host must be a host name or IP address (no port: notify.smtp_port), "
                          f"got {host!r}")
    if email == "outbox":
        return NotifySettings(email="outbox", smtp=None, retry_after_seconds=retry_after,
                              background=background, poll_seconds=poll_seconds)
    if not host:
        raise ConfigError("notify.smtp_host must name the mail server when notify.email is \"smtp\"")
    security = section.choice("smtp_security", SECURITY)
    if security == "none" and host not in LOOPBACK:
        raise ConfigError(f"notify.smtp_security = \"none\" sends mail unencrypted; it is allowed "
                          f"only for a relay on this machine, not {host!r}")
    if not sender:
        raise ConfigError("notify.sender must be an e-mail address when notify.email is \"smtp\", got ''")
    ca_file = section.text("smtp_ca_file")
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"notify.smtp_ca_file: {ca_file!r} is not a file")
    return NotifySettings(email="smtp", retry_after_seconds=retry_after, background=background,
                          poll_seconds=poll_seconds, smtp=SmtpSettings(
        host=host, port=port, security=security, sender=sender,
        username=section.text("smtp_username"), password=_password(section),
        timeout_seconds=timeout, ca_file=ca_file, retry_after_seconds=retry_after))


__all__ = ["EMAIL_TRANSPORTS", "NotifySettings", "load"]
