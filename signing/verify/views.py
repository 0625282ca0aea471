"""Public verification: the `/verify` pages and the `/api/verify` JSON API. No sign-in.

- `GET /verify` (code form, upload form), `GET /verify?code=...` -> `/verify/<CSV>`,
  `POST /verify` (upload, CSRF-protected) -> report page;
- `GET /verify/<CSV>`: the issued document, its status and the report of the original;
  `GET /verify/<CSV>/pdf`: the original, byte for byte;
- `POST /api/verify` (PDF as body or multipart field `file`), `GET /api/verify/<CSV>`: the
  report as JSON (`signing.verify.report`);
- `POST /verify/report` (CSRF-protected, rate-limited): report a possible forgery, a
  well-formed code that no document has (`signing.verify.forgery_reports`).

Every page says one verdict first (`signing.verify.verdict`), as the h1, with what it means and
what to do next; the details follow in a disclosure.

Every request is rate-limited per client address; unknown codes count double toward a
separate, lower limit, so guessing codes (95 random bits) stops early.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from infra.config import get_settings
from infra.db import get_db
from infra.indicators import tally_apart
from infra.store import get_store
from infra.web.cors import public_read
from infra.web.csrf import CsrfError, csrf_token, validate_csrf
from infra.web.errors import json_error
from infra.web.i18n import current_language, current_zone, gettext, translate_or
from infra.web.ratelimit import advertise, note
from signing.errors import InvalidCode
from signing.i18n import LANGUAGES
from signing.models import Document
from signing.pdf_input import human_size
from signing.verify import forgery_reports
from signing.verify.errors import (
    IssuedDocumentNotFound,
    UnreadableDocument,
    VerificationError,
    VerifierBusy,
)
from signing.verify.other_forms import OtherForm
from signing.verify.report import CitizenSignedDocument, IssuedDocument, VerificationReport
from signing.verify.service import VerificationService, get_verification
from signing.verify.verdict import Verdict, advice, decide

bp = Blueprint("verify", __name__, template_folder="templates")
MULTIPART_SLACK = 64 * 1024  # form fields and boundaries around the file


class TooManyRequests(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests; retry in {retry_after} s")
        self.retry_after = retry_after


# helpers -------------------------------------------------------------------------------


def _service() -> VerificationService:
    return get_verification(current_app)


def _address() -> str:
    return request.remote_addr or "unknown"


def _count(bucket: str, *, limit: int, window: int, weight: int = 1) -> None:
    store = get_store()
    count = 0
    for _ in range(weight):
        count = store.incr(f"rl:verify-{bucket}:{_address()}", window)
    note(f"verify-{bucket}", limit=limit, window=window, count=count)
    if count > limit:
        raise TooManyRequests(window)


def _guard_lookups() -> None:
    """Code look-ups: a generous limit, and a strict one on unknown codes (checked first)."""
    settings = _service().settings
    if get_store().get(f"rl:verify-blocked:{_address()}"):
        note("verify-miss", limit=settings.failed_lookups, window=settings.window_seconds,
             count=settings.failed_lookups)
        raise TooManyRequests(settings.window_seconds)
    _count("code", limit=settings.lookups, window=settings.window_seconds)


def _missed() -> None:
    """Count an unknown code; at `failed_lookups`, block look-ups for the rest of the window."""
    settings = _service().settings
    store = get_store()
    misses = store.incr(f"rl:verify-miss:{_address()}", settings.window_seconds)
    note("verify-miss", limit=settings.failed_lookups, window=settings.window_seconds, count=misses)
    if misses >= settings.failed_lookups:
        store.set(f"rl:verify-blocked:{_address()}", b"1", settings.window_seconds)


def _language() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]
    return current_language()


def _translate(key: str) -> str:
    return gettext(key)


def _page(template: str, status: int = 200, **context: Any) -> Response:
    if template == "verify/index.html":  # the upload field's hint names the largest file taken
        context.setdefault("upload_limit", human_size(_service().settings.max_bytes, current_language()))
    response = Response(render_template(template, **context), status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _check_form_token() -> None:
    """The upload form's CSRF token against the browser's cookie (`csrf_token()` global)."""
    expected = csrf_token()
    sent = request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(expected, sent):
        raise VerificationError("The form's security token is missing or out of date; "
                                "reload the page and try again.", error="invalid_csrf_token")


def _upload(*, api: bool) -> bytes:
    """The PDF sent: the body (API) or the multipart field `file`. Nothing sent at all (no
    field, a field with no file chosen, an empty body) is `no_file` on a page, `empty_file`
    for the API, each saying what to send; a chosen file with no bytes is `read_pdf`'s."""
    settings = _service().settings
    request.max_content_length = settings.max_bytes + MULTIPART_SLACK
    if request.mimetype == "multipart/form-data":
        if not api:
            _check_form_token()
        upload = request.files.get("file")
        data: bytes = upload.read(settings.max_bytes + 1) if upload is not None else b""
        if not data and (upload is None or not upload.filename):  # no file chosen
            _nothing_sent(api)
        return data
    if not api:  # not the upload form's body: no file came with it
        _nothing_sent(api)
    if request.mimetype not in ("application/pdf", "application/octet-stream"):
        raise VerificationError("Send the PDF as the body (Content-Type: application/pdf) or as "
                                "the multipart/form-data field \"file\".",
                                error="unsupported_media_type")
    body = request.get_data(cache=False)
    if not body:
        _nothing_sent(api)
    return body


def _nothing_sent(api: bool) -> None:
    if not api:
        raise UnreadableDocument("No file was chosen: choose the PDF file of the document, or "
                                 "type its verification code.", error="no_file")
    raise UnreadableDocument("No PDF was sent: send the PDF itself as the body (Content-Type: "
                             "application/pdf), or in a multipart/form-data field named "
                             "\"file\".", error="empty_file")


# pages ---------------------------------------------------------------------------------


@bp.get("/verify")
def index() -> Response | WerkzeugResponse:
    code = request.args.get("code")
    if code is None:
        return _page("verify/index.html")
    try:
        from signing import csv as verification_code

        canonical = verification_code.normalise(code)
    except InvalidCode:
        wrong = "code_missing" if verification_code.is_blank(code) else "code_invalid"
        return _page("verify/index.html", 400, code=code,
                     code_error=_translate(f"verify.page.{wrong}"))
    return redirect(url_for("verify.document", code=canonical), code=303)


def oversized_upload_page() -> Response:
    """The upload form again, its file field saying the file is too large and what to do
    (a browser's upload past `[verify] max_upload_bytes`; `infra.web.inputs.allow_larger_body`)."""
    return _page("verify/index.html", 413, file_error=_translate("verify.input.file_too_large"))


@bp.post("/verify")
def upload() -> Response:
    settings = _service().settings
    _count("upload", limit=settings.attempts, window=settings.window_seconds)
    try:
        report = _counted(_service().verify(_upload(api=False)))
    except UnreadableDocument as exc:
        return _page("verify/index.html", exc.http_status,
                     file_error=_translate(f"verify.input.{exc.error}"))
    return _report_page(report, report.document)


def _counted(report: VerificationReport) -> VerificationReport:
    """Count the verification by its overall indication, for the agency that issued the
    document when it is one of ours (found by its code or recognised by its hash)."""
    database = get_db(current_app)
    agency = None
    if report.document is not None:
        with database.read() as session:
            agency = session.scalar(sa.select(Document.client_id).where(Document.id == report.document.id))
    tally_apart(database, "verification", agency=agency, dimension=report.indication.value)
    return report


Found = IssuedDocument | CitizenSignedDocument
"""A document a code names: issued by an agency, or signed by a citizen with this service."""


def _report_or_none(found: Found) -> VerificationReport | None:
    """The report of the stored original; None if the file is missing from the store."""
    from signing.store import DocumentNotStored

    try:
        return _counted(_service().report_for(found))
    except DocumentNotStored:
        return None


def _by_code(code: str) -> Found | Verdict:
    """The document a verification code names, or the verdict on the code: `NOT_FOUND` for a
    well-formed code no document has (a possible forgery), `MALFORMED_CODE` for a mistyped one.
    Both count as a miss: guessing is limited."""
    _guard_lookups()
    try:
        return _service().by_code(code)
    except InvalidCode:
        _missed()
        return Verdict.MALFORMED_CODE
    except IssuedDocumentNotFound:
        _missed()
        return Verdict.NOT_FOUND


def _organisation() -> dict[str, str]:
    """Who runs this service and how to reach them (`[organisation]`, checked at start)."""
    section = get_settings(current_app).get("organisation", {})
    return {key: str(section.get(key, "") or "").strip()
            for key in ("name", "email", "phone", "address", "hours")}


def _not_found(verdict: Verdict, code: str, *, status: int | None = None,
               form: dict[str, str] | None = None,
               errors: Iterable[tuple[str | None, str]] = ()) -> Response:
    """The page for a code that names no document: a possible forgery with how to report it,
    or a mistyped code with how to type it again."""
    from signing import csv as verification_code

    canonical = verification_code.normalise(code) if verdict is Verdict.NOT_FOUND else None
    return _page("verify/not_found.html",
                 status or (404 if verdict is Verdict.NOT_FOUND else 400),
                 verdict=verdict, advice=advice(verdict, _language()), code=code[:64],
                 canonical=canonical, organisation=_organisation(), form=form or {},
                 errors=list(errors))


@bp.get("/verify/<code>")
def document(code: str) -> Response:
    found = _by_code(code)
    if isinstance(found, Verdict):
        return _not_found(found, code)
    report = _report_or_none(found)
    return _report_page(report, found, forms=_other_forms(found))


def _report_page(report: VerificationReport | None, found: Found | None, *,
                 forms: Iterable[OtherForm] = ()) -> Response:
    """The report page; a citizen-signed document is said as such (`citizen`), never as an
    issued `document`."""
    document = found if isinstance(found, IssuedDocument) else None
    citizen = found if isinstance(found, CitizenSignedDocument) else None
    if report is not None:
        document, citizen = report.document, report.citizen_signed
        verdict, kind = report.verdict, report.advice_kind
    else:
        verdict = decide(indication=None, document_status=document.status if document else None)
        kind = "citizen_signed" if citizen is not None and document is None else None
    return _page("verify/report.html", report=report, document=document, citizen=citizen,
                 language=_language(), forms=forms, verdict=verdict,
                 advice=advice(verdict, _language(), kind=kind), organisation=_organisation(),
                 # the sentences' times in the zone of the page's tables (the reader's)
                 zone=current_zone()[0])


@bp.post("/verify/report")
def report_forgery() -> Response:
    """A person reports a document whose well-formed code no document has."""
    settings = _service().settings
    form = {key: request.form.get(key, "")[:2000] for key in ("code", "where", "contact")}
    try:
        validate_csrf()
    except CsrfError:
        return _not_found_or_mistyped(form, [("where", _translate("verify.input.invalid_csrf_token"))])
    _count("report", limit=settings.reports, window=settings.reports_window_seconds)
    try:
        received = forgery_reports.record(get_db(current_app), code=form["code"],
                                          where=form["where"], contact=form["contact"],
                                          language=_language(), now=datetime.now(UTC))
    except forgery_reports.InvalidForgeryReport as exc:
        return _not_found_or_mistyped(form, [(None if exc.field == "code" else exc.field,
                                              _translate(f"verify.report.error.{exc.error}"))])
    return _page("verify/reported.html", 201, received=received, organisation=_organisation())


def _not_found_or_mistyped(form: dict[str, str], errors: list[tuple[str | None, str]]) -> Response:
    from signing import csv as verification_code

    verdict = Verdict.NOT_FOUND if verification_code.is_valid(form["code"]) else Verdict.MALFORMED_CODE
    return _not_found(verdict, form["code"], status=400, form=form, errors=errors)


def _other_forms(found: Found) -> list[OtherForm]:
    """Other forms of an issued document (a citizen-signed one has none)."""
    from signing.verify import other_forms

    if not isinstance(found, IssuedDocument):
        return []
    return other_forms.of(current_app, found.id, found.status)


@bp.get("/verify/<code>/pdf")
def original(code: str) -> Response:
    found = _by_code(code)
    if isinstance(found, Verdict):
        return _not_found(found, code)
    from signing.store import DocumentNotStored

    try:
        data = _service().original(found)
    except DocumentNotStored:
        return _report_page(None, found)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{found.csv}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# API -----------------------------------------------------------------------------------


@bp.post("/api/verify")
def api_verify() -> Response:
    settings = _service().settings
    _count("upload", limit=settings.attempts, window=settings.window_seconds)
    report = _counted(_service().verify(_upload(api=True)))
    return _json(report.as_json(_language()))


@bp.get("/api/verify/<code>")
@public_read  # a portal's own page may read it, its errors included (infra/web/cors.py)
def api_document(code: str) -> Response:
    found = _by_code(code)
    if found is Verdict.MALFORMED_CODE:
        return _json_verdict(400, "invalid_code", "This is not a verification code: it has a "
                             "typing mistake (wrong length, letters or check symbol).", found)
    if isinstance(found, Verdict):  # NOT_FOUND: `_by_code` gives no other verdict
        return _json_verdict(404, "not_found", "No document has this verification code.", found)
    report = _report_or_none(found)
    if report is None:
        return json_error(404, "not_found", "The original of this document is not available.")
    body = report.as_json(_language())
    body["other_forms"] = [form.as_json() for form in _other_forms(found)]
    return _json(body)


@bp.after_request
def _advertise_limits(response: Response) -> Response:
    """Every API answer says the limits the request counted against
    (`infra.web.ratelimit.advertise`). The code look-up's CORS: `public_read`."""
    if request.path.startswith("/api/"):  # the API's RateLimit fields (not the pages')
        advertise(response)
    return response


def _json_verdict(status: int, error: str, description: str, verdict: Verdict) -> Response:
    """An error that is also a verdict on the code: `possible_forgery` for a well-formed code
    that no document has, with where to report it."""
    response = json_error(status, error, description)
    body: dict[str, Any] = response.get_json()
    body.update(verdict=verdict.value, advice=advice(verdict, _language()),
                possible_forgery=verdict is Verdict.NOT_FOUND)
    if verdict is Verdict.NOT_FOUND:
        from signing.csv import verification_url

        # At the issuer, never at the request's Host header (which whoever sends it chooses).
        body["report_url"] = verification_url(issuer=get_settings().issuer,
                                              code=_canonical((request.view_args or {})["code"])) + "#report"
        body["contact"] = {key: value for key, value in _organisation().items() if value}
    response.set_data(jsonify(body).get_data())
    return response


def _canonical(code: str) -> str:
    from signing import csv as verification_code

    return verification_code.normalise(code)


def _json(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


# errors --------------------------------------------------------------------------------


@bp.errorhandler(TooManyRequests)
def _too_many(exc: TooManyRequests) -> Response:
    headers = {"Retry-After": str(exc.retry_after)}
    if request.path.startswith("/api/"):
        return json_error(429, "too_many_requests",
                           f"Too many verifications from this address; try again in "
                           f"{exc.retry_after} seconds.", headers)
    response = _page("verify/index.html", 429, limited=True)
    response.headers.update(headers)
    return response


@bp.errorhandler(VerificationError)
def _verification_error(exc: VerificationError) -> Response:
    status = exc.http_status if isinstance(exc, UnreadableDocument) else \
        {"unsupported_media_type": 415, "invalid_csrf_token": 400}.get(exc.error, exc.status)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, VerifierBusy) else {}
    if request.path.startswith("/api/"):
        return json_error(status, exc.error, exc.description, headers)
    key = "busy" if isinstance(exc, VerifierBusy) else exc.error  # the page's message
    response = _page("verify/index.html", status,
                     file_error=translate_or(f"verify.input.{key}", exc.description))
    response.headers.update(headers)
    return response
