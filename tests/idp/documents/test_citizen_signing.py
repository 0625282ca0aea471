"""A citizen signs a PDF: upload, review, a passkey assertion bound to the document's SHA-256."""

from __future__ import annotations

import base64
import hashlib
import io
import re

from tests.idp.conftest import csrf, post_json
from tests.signing.validation import lta, reader


def _pdf(text: str = "hola") -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    content = generic.StreamObject(stream_data=f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    font = generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/Font"),
                                     generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                                     generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica")})
    from pyhanko.pdf_utils.writer import PageObject

    writer.insert_page(PageObject(contents=writer.add_object(content), media_box=(0, 0, 595, 842),
                                  resources=generic.DictionaryObject({
                                      generic.NameObject("/Font"): generic.DictionaryObject(
                                          {generic.NameObject("/F1"): font})})))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _upload(web, data: bytes, name: str = "contrato.pdf"):
    return web.post("/account/sign", data={"csrf_token": csrf(web, "/account/sign"),
                                           "document": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def confirm_with_change_while_signing(web, monkeypatch, upload: str, key, change, **headers):
    """Confirm the signature of `upload` with the passkey `key`, `change()` running while the
    PAdES signature is made (after the checks before it, before it is stored)."""
    from idp.documents import pages

    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    sign_pdf = pages.citizen_signature.sign_pdf

    def signing_then_changing(*args, **kwargs):
        signed = sign_pdf(*args, **kwargs)
        change()
        return signed

    monkeypatch.setattr(pages.citizen_signature, "sign_pdf", signing_then_changing)
    return post_json(web, f"/account/sign/{upload}/confirm", key.authenticate(options), headers=headers)


def _upload_id(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    return re.fullmatch(r".*/account/sign/([\w-]+)", response.headers["Location"]).group(1)


def _challenge(options) -> bytes:
    value = options["challenge"]
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def test_citizen_signs_an_agency_document_and_the_seal_stays_valid(web, agency, signed_in,
                                                                   docs_app):
    from tests.idp.documents.conftest import agency_token
    from tests.idp.documents.test_api import _issue

    enrolled, sub = signed_in
    issued = _issue(web, agency_token(web, agency), subject=sub).get_json()
    original = web.get(f"/account/documents/{issued['id']}/pdf").data
    upload = _upload_id(_upload(web, original, "certificado.pdf"))
    review = web.get(f"/account/sign/{upload}").get_data(as_text=True)
    assert hashlib.sha256(original).hexdigest() in review and "certificado.pdf" in review

    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    challenge = _challenge(options)
    assert challenge[:32] == hashlib.sha256(original).digest() and len(challenge) == 64
    assert options["userVerification"] == "required"
    assert [c["id"] for c in options["allowCredentials"]] == [enrolled.key.credential_id_b64]

    response = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options))
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["signed_from"] == hashlib.sha256(original).hexdigest()
    signed = web.get(f"/account/documents/{body['id']}/pdf").data
    assert signed.startswith(original)  # an incremental update: the confirmed bytes, unchanged

    root = __import__("keys").get_service(docs_app).pki.material().root.certificate
    signatures = reader(signed).embedded_regular_signatures
    assert len(signatures) == 2
    citizen = lta(signed, root, index=1).api_status
    assert citizen.intact and citizen.valid and citizen.trusted
    assert citizen.signing_cert.subject.native["serial_number"] == f"IDCSV-{enrolled.national_id}"
    # The citizen's signature covers exactly the confirmed document plus its own revision.
    covered = signatures[1].byte_range
    assert covered[0] == 0 and covered[2] + covered[3] >= len(original)
    seal = lta(signed, root, index=0).api_status
    assert seal.intact and seal.valid and seal.trusted
    # The verifier reads the approval inside the citizen's signature, offline (issue 12).
    report = web.post("/api/verify?lang=en", data=signed,
                      headers={"Content-Type": "application/pdf"}).get_json()
    assert report["indication"] == "TOTAL-PASSED", report
    sealed, own = report["signatures"]
    assert (sealed["signed_as"], sealed["assurance_level"]) == ("agency_seal", "high")
    assert (own["signed_as"], own["assurance_level"]) == ("citizen_signature", "substantial")
    assert own["approval"]["status"] == "verified" and own["approval"]["user_verified"]
    assert own["approval"]["message"].startswith("Approved with a passkey, user verified")
    # The file holds the agency's document (an earlier revision) and the citizen's signature of
    # it: each is said for what it is, the citizen's never as issued by the agency.
    assert report["document"]["csv"] == issued["csv"]
    assert report["document"]["matched_by"] == "revision"
    assert report["citizen_signed"]["csv"] == body["csv"]
    assert report["citizen_signed"]["matched_by"] == "hash"
    assert report["citizen_signed"]["issued_by_agency"] is False
    # The code shown after signing (and the Verify link of "My documents") verifies it.
    by_code = web.get(f"/api/verify/{body['csv']}?lang=en").get_json()
    assert by_code["verdict"] == "valid" and by_code["document"] is None
    assert by_code["citizen_signed"]["signer"] == own["signer"]["name"]
    page = web.get(f"/verify/{body['csv']}")
    assert page.status_code == 200 and "Firmado por una persona con Cédula" in page.get_data(as_text=True)
    listing = web.get("/account/documents").get_data(as_text=True)
    assert f'/verify/{body["csv"]}"' in listing
    assert "signed" in web.get("/account/documents?done=signed").get_data(as_text=True)
    from tests.idp.documents.test_revocation_and_log import _log

    assert ("signature.made", None, body["id"]) in _log(docs_app, enrolled.citizen_id)


def test_assertion_made_for_another_documents_hash_is_refused(web, signed_in):
    enrolled, _ = signed_in
    first = _upload_id(_upload(web, _pdf("uno"), "uno.pdf"))
    second = _upload_id(_upload(web, _pdf("dos"), "dos.pdf"))
    options = post_json(web, f"/account/sign/{first}/options", {}).get_json()
    assertion = enrolled.key.authenticate(options)
    response = post_json(web, f"/account/sign/{second}/confirm", assertion)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_challenge"
    from infra.db import get_db
    from signing.models import Document

    with get_db(web.application).read() as session:
        assert session.query(Document).count() == 0


def test_a_challenge_is_used_once(web, signed_in):
    enrolled, _ = signed_in
    upload = _upload_id(_upload(web, _pdf()))
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    assertion = enrolled.key.authenticate(options)
    assert post_json(web, f"/account/sign/{upload}/confirm", assertion).status_code == 200
    again = post_json(web, f"/account/sign/{upload}/confirm", assertion)
    assert again.status_code == 404  # the upload is gone once signed


def test_uploads_that_are_not_usable_pdfs_get_a_clear_4xx(web, signed_in):
    response = _upload(web, b"hello, this is not a pdf", "notes.pdf")
    assert response.status_code == 422
    assert "no es un PDF" in response.get_data(as_text=True)
    response = _upload(web, b"%PDF-1.7\n1 0 obj garbage", "broken.pdf")
    assert response.status_code == 422
    assert "dañado" in response.get_data(as_text=True)


def test_too_large_upload_is_413(web, signed_in, docs_app):
    from signing.service import get_documents

    settings = get_documents(docs_app).settings
    original = settings.max_bytes
    object.__setattr__(settings, "max_bytes", 2048)
    try:
        response = _upload(web, _pdf() + b"%" + b"x" * 4096)
    finally:
        object.__setattr__(settings, "max_bytes", original)
    assert response.status_code == 413


def test_signing_pages_need_a_signed_in_citizen(docs_app):
    anonymous = docs_app.test_client()
    assert anonymous.get("/account/documents").status_code == 302
    assert anonymous.get("/account/sign").status_code == 302


def test_the_citizen_approves_and_signs_the_normalised_file(web, signed_in, docs_app):
    """Issue 13: an upload whose form shows "100 EUR" and stores "9999 EUR" (with
    /NeedAppearances) and that runs a script on opening is flattened and cleaned before the
    citizen sees it; the preview, the passkey challenge and the signature are all about the
    cleaned bytes."""
    from signing.normalise import findings
    from tests.signing.test_normalise import _reader, _text, active_content, shadow_form

    enrolled, _ = signed_in
    texts = []
    for original in (shadow_form(), active_content()):
        upload = _upload_id(_upload(web, original, "formulario.pdf"))
        shown = web.get(f"/account/sign/{upload}/pdf").data
        assert shown != original and findings(_reader(shown)) == []
        assert b"9999" not in shown and b"/JavaScript" not in shown
        review = web.get(f"/account/sign/{upload}").get_data(as_text=True)
        assert hashlib.sha256(shown).hexdigest() in review
        options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
        assert _challenge(options)[:32] == hashlib.sha256(shown).digest()
        response = post_json(web, f"/account/sign/{upload}/confirm",
                             enrolled.key.authenticate(options))
        body = response.get_json()
        assert response.status_code == 200, body
        assert body["signed_from"] == hashlib.sha256(shown).hexdigest()
        signed = web.get(f"/account/documents/{body['id']}/pdf").data
        assert signed.startswith(shown)
        texts.append(_text(signed))
    assert "Total 100 EUR" in texts[0]  # what the form showed is in the page itself


def test_a_signed_upload_with_a_form_is_refused(web, signed_in):
    """A signed PDF cannot be cleaned without breaking its signatures: it is refused, saying
    why, rather than signed with a form that can change what it shows."""
    from tests.signing.test_normalise import shadow_form
    from tests.signing.verify import samples

    pki = samples.build_pki()
    signed = samples.sign(shadow_form(), samples.signer_for(pki.signer, pki))
    response = _upload(web, signed, "firmado.pdf")
    assert response.status_code == 422
    assert "ya está firmado y contiene formularios" in response.get_data(as_text=True)


def test_a_counter_regression_while_approving_marks_the_passkey_suspect(web, signed_in):
    """A clone signal met while approving a document is treated as at sign-in: the approval is
    refused, the passkey is blocked, the sessions opened with it end and the citizen's sign-in
    history says so."""
    from idp.account.models import SignIn
    from idp.citizens.models import Passkey
    from infra.db import get_db

    enrolled, _ = signed_in
    with get_db(web.application).transaction() as session:  # a clone already used it (count 5)
        session.query(Passkey).filter_by(credential_id=enrolled.key.credential_id).one().sign_count = 5
    upload = _upload_id(_upload(web, _pdf()))
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    response = post_json(web, f"/account/sign/{upload}/confirm",
                         enrolled.key.authenticate(options, sign_count=3))
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "sign_count_regression"
    with get_db(web.application).read() as session:
        passkey = session.query(Passkey).filter_by(credential_id=enrolled.key.credential_id).one()
        assert passkey.suspect_since is not None
        kinds = [e.kind for e in session.query(SignIn).filter_by(citizen_id=passkey.citizen_id)]
        from signing.models import Document

        assert session.query(Document).count() == 0  # nothing signed
    assert "clone_suspected" in kinds
    assert web.get("/account").status_code in (302, 303)  # the session opened with it ended


def test_sizes_are_written_as_the_citizens_language_writes_numbers(web, signed_in, docs_app):
    """The sign page said «el máximo es 1.5 MB» (and «20.0 MB» by default) on Spanish pages: the
    English decimal point, where Spanish writes «1,5 MB» (CLDR); and a refused file «pesa 1,5 MB y
    el máximo es 1,5 MB»: its size was that of the part read, which stops one byte past the limit."""
    from signing.service import get_documents

    settings = get_documents(docs_app).settings
    original = settings.max_bytes
    object.__setattr__(settings, "max_bytes", 1536 * 1024)
    try:
        page = web.get("/account/sign", headers={"Accept-Language": "es"}).get_data(as_text=True)
        pdf = _pdf() + b"%"
        refused = _upload(web, pdf + b"x" * (1596 * 1024 - len(pdf))).get_data(as_text=True)  # 1.56 MB
        english = web.get("/account/sign", headers={"Accept-Language": "en"}).get_data(as_text=True)
    finally:
        object.__setattr__(settings, "max_bytes", original)
    hint = re.search(r'id="document-hint">([^<]*)<', page).group(1)
    assert "1,5 MB" in hint and "1.5" not in hint
    assert "El archivo pesa 1,6 MB y el máximo es 1,5 MB" in refused
    assert "1.5 MB" in re.search(r'id="document-hint">([^<]*)<', english).group(1)


def test_no_qualifying_passkey_refuses_the_options_instead_of_an_empty_allow_list(web, signed_in,
                                                                                  monkeypatch):
    """An empty allowCredentials means "any passkey" to WebAuthn: when none of the citizen's
    passkeys reaches the signing level (a wallet session, a passkey reported since), the
    ceremony is not started: 403 with what to do next."""
    from idp.documents import confirmation

    upload = _upload_id(_upload(web, _pdf()))
    monkeypatch.setattr(confirmation, "credential_descriptors", lambda *a, **k: [])
    response = post_json(web, f"/account/sign/{upload}/options", {})
    assert response.status_code == 403, response.get_json()
    body = response.get_json()
    assert body["error"] == "no_qualifying_passkey" and "allowCredentials" not in body
    assert "llave de acceso" in body["error_description"]


def test_a_file_past_the_limit_is_the_form_again_with_its_size(web, signed_in, docs_app):
    """An upload whose declared length is past the route's limit is refused before the form is
    read; it was the generic 413 page («vuelva atrás»), away from the form. Now the form again,
    saying how large the file is and the limit, as for a file refused after it was read."""
    from signing.service import get_documents

    limit = get_documents(docs_app).settings.max_bytes
    refused = _upload(web, _pdf() + b"x" * (limit + 200 * 1024))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 413
    assert 'id="document-hint"' in text and "y el máximo es" in text
    anonymous = docs_app.test_client().post("/account/sign", data=b"x" * (limit + 200 * 1024),
                                             content_type="multipart/form-data; boundary=x")
    assert anonymous.status_code == 413 and 'id="document-hint"' not in anonymous.get_data(as_text=True)
