"""E-mail through an SMTP server (RFC 5321), with STARTTLS (RFC 3207) or implicit TLS
(RFC 8314, section 3.3), certificate and host name checked, and a timeout on every step.

Only the "email" channel; other channels go to the outbox (`infra.notify.router`). A server
that is down, refuses or does not answer in time raises DeliveryFailed: nothing is retried
here, so the caller can tell the person at once what to do.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from infra.email_address import without_addresses
from infra.notify.base import DeliveryFailed, InvalidMessage, Sent, check

log = logging.getLogger(__name__)

SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    # "starttls": plain connection upgraded with STARTTLS, refused if the server does not
    # offer it; "ssl": TLS from the first byte (port 465); "none": no TLS (loopback relays).
    security: str
    sender: str
    username: str = ""
    password: str = ""
    timeout_seconds: float = 10.0
    # PEM file of the CAs that may issue the server's certificate; empty: the system's.
    ca_file: str = ""
    retry_after_seconds: int = 60


class SmtpNotifier:
    """Sends each message in its own SMTP session (connect, TLS, log in, send, quit)."""

    def __init__(self, settings: SmtpSettings) -> None:
        if settings.security not in SECURITY:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITY)}, "
                             f"got {settings.security!r}")
        self.settings = settings

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.ca_file or None)

    def _message(self, *, address: str, subject: str, body: str, language: str) -> EmailMessage:
        _, bare = parseaddr(address)
        if not bare or "@" not in bare or bare != address.strip():
            # Without the address: the worker logs this (a citizen's address, personal data).
            raise InvalidMessage("the address is not an e-mail address (name@domain alone, without a "
                                 "display name or spaces)")
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = bare
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        domain = parseaddr(self.settings.sender)[1].rpartition("@")[2] or None
        message["Message-ID"] = make_msgid(domain=domain)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no automatic replies
        message.set_content(body)  # (after the headers: it replaces every Content-* header)
        message["Content-Language"] = language  # RFC 3282
        return message

    def _failed(self, what: str, exc: BaseException, *, permanent: bool = False) -> DeliveryFailed:
        where = f"{self.settings.host}:{self.settings.port}"
        # The server's reply and smtplib's error name the recipient (a refused RCPT TO): not logged.
        log.warning("e-mail not delivered", extra={"smtp": where,
                                                   "error": without_addresses(f"{type(exc).__name__}: {exc}")})
        return DeliveryFailed(f"the mail server {where} {what}", permanent=permanent,
                              retry_after=self.settings.retry_after_seconds)

    def send(self, *, channel: str, address: str, subject: str, body: str, language: str) -> Sent:
        if check(channel=channel, address=address, subject=subject, body=body,
                 language=language) != "email":
            raise InvalidMessage(f"the SMTP notifier sends e-mail only, not {channel!r}")
        message = self._message(address=address, subject=subject, body=body, language=language)
        s = self.settings
        try:
            client: smtplib.SMTP
            if s.security == "ssl":
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds,
                                          context=self._context())
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            with client:
                if s.security == "starttls":
                    client.ehlo()
                    if not client.has_extn("starttls"):
                        raise smtplib.SMTPNotSupportedError("STARTTLS is not offered")
                    client.starttls(context=self._context())
                    client.ehlo()
                if s.username:
                    client.login(s.username, s.password)
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise self._failed("refused the recipient", exc, permanent=True) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise self._failed("does not offer STARTTLS (mail is never sent unencrypted)", exc) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise self._failed("refused the user name or password", exc) from None
        except smtplib.SMTPResponseException as exc:
            raise self._failed(f"refused the message ({exc.smtp_code})", exc,
                               permanent=500 <= exc.smtp_code < 600) from None
        except smtplib.SMTPServerDisconnected as exc:
            if isinstance(exc.__context__, TimeoutError):  # smtplib wraps a read timeout
                raise self._failed(f"did not answer within {s.timeout_seconds:g} seconds", exc) from None
            raise self._failed("closed the connection", exc) from None
        except smtplib.SMTPException as exc:
            raise self._failed("did not take the message", exc) from None
        except ssl.SSLError as exc:
            raise self._failed("failed the TLS handshake (is its certificate trusted?)", exc) from None
        except TimeoutError as exc:
            raise self._failed(f"did not answer within {s.timeout_seconds:g} seconds", exc) from None
        except ConnectionRefusedError as exc:
            raise self._failed("refused the connection", exc) from None
        except OSError as exc:
            raise self._failed("cannot be reached", exc) from None
        return Sent(channel="email", via="smtp", id=str(message["Message-ID"]))


__all__ = ["SECURITY", "SmtpNotifier", "SmtpSettings"]
