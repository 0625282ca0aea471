"""The one error family of the registrar console."""

from __future__ import annotations

from idp.citizens.errors import FieldErrors


class RegistrarError(Exception):
    """Any refusal of a registrar or operator action; `code` is the machine code."""

    code = "invalid_request"


class InvalidDocument(FieldErrors, RegistrarError):
    """The identity document fields are missing or wrong."""

    code = "invalid_document"
    form = "document"


class NotRegistrar(RegistrarError):
    code = "not_registrar"


class CitizenNotFound(RegistrarError):
    code = "not_found"


class OwnRecord(RegistrarError):
    """A registrar tried to act on their own record (look it up, open it, verify it or bind a
    passkey to it): nobody vouches for themselves."""

    code = "own_record"


class AlreadyEnrolled(RegistrarError):
    """Assisted enrolment: the national ID already has an identity (look it up and help with
    recovery, or give it back to the document's holder through /registrar/reclaim)."""

    code = "already_enrolled"


class EnrolmentClosed(RegistrarError):
    """Assisted enrolment: the step that binds a passkey has been done already, has expired
    (`assurance.binding_seconds`), or belongs to another registrar."""

    code = "enrolment_closed"


class NotHolder(RegistrarError):
    """An in-person check on an account the person at the desk did not show they hold (no desk
    code from one of its passkeys, or a wrong one): their document proves who they are, not
    that the account is theirs. Recovery (every passkey ends) or a reclaim is the way."""

    code = "not_holder"
