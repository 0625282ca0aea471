"""Issue 12, reproduction 1: a signature in anyone's name.

Whoever enrols with a made-up name and a DUI with a valid check digit is self-asserted (level
low). Such an account gets no certificate and no signature, through the pages or the JSON
API; the page says why and how to raise the level.
"""

from __future__ import annotations

import contextlib
import io

import pytest

from tests.idp.assurance.conftest import metadata, pki  # noqa: F401 - fixtures
from tests.idp.conftest import csrf, enrol, post_json
from tests.idp.documents.conftest import proof_in_person
from tests.idp.documents.test_citizen_signing import _pdf, _upload, _upload_id
from tests.support.authenticator import SoftwareAuthenticator


@contextlib.contextmanager
def minimum_level(app, level: str):
    """documents.minimum_signing_level set to `level` for the block (settings are frozen)."""
    from signing.service import get_documents

    settings = get_documents(app).settings
    before = settings.minimum_signing_level
    object.__setattr__(settings, "minimum_signing_level", level)
    try:
        yield
    finally:
        object.__setattr__(settings, "minimum_signing_level", before)


def _nothing_issued(app) -> None:
    from infra.db import get_db
    from keys.models import Certificate
    from signing.models import Document

    with get_db(app).read() as session:
        assert session.query(Certificate).filter_by(role="citizen").count() == 0
        assert session.query(Document).filter_by(kind="citizen-signed").count() == 0


def _confirm_refused(web, upload: str, assertion: dict) -> str:
    """Confirm `upload` with `assertion`, refused for the signer's level of assurance: the
    reason, in English."""
    response = post_json(web, f"/account/sign/{upload}/confirm", assertion,
                         headers={"Accept-Language": "en"})
    assert response.status_code == 403
    body = response.get_json()
    assert body.keys() == {"error", "error_description"}
    assert body["error"] == "insufficient_user_authentication"
    return body["error_description"]


@pytest.fixture
def self_asserted(web, docs_app):
    """Enrolled with a made-up name and a valid DUI: nobody checked who this is (low)."""
    return enrol(web, given_name="Nadie", family_name="Inventado")


def test_a_self_asserted_account_is_told_why_and_how_to_raise_its_level(web, self_asserted):
    page = web.get("/account/sign")
    html = page.get_data(as_text=True)
    assert page.status_code == 403
    assert 'data-reason="identity"' in html
    assert "al menos en nivel sustancial" in html and "Ahora está en nivel bajo" in html
    assert 'id="raise-level" class="button button-primary" href="/account/assurance"' in html
    assert 'type="file"' not in html  # no upload form to fill in for nothing
    english = web.get("/account/sign", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "verified at level substantial or higher. It is now at level low" in english
    assert '>Raise my level</a>' in english


def test_a_self_asserted_account_cannot_upload_a_pdf_to_sign(web, self_asserted, docs_app):
    response = _upload(web, _pdf())
    assert response.status_code == 403
    assert 'data-reason="identity"' in response.get_data(as_text=True)
    _nothing_issued(docs_app)


def test_a_self_asserted_account_gets_no_certificate_and_no_signature_from_the_api(
        web, self_asserted, docs_app):
    """The upload was made while the operator's minimum allowed it (or by going around the
    page); the JSON API refuses the challenge and the signature all the same."""
    with minimum_level(docs_app, "low"):
        upload = _upload_id(_upload(web, _pdf()))
        options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    assertion = self_asserted.key.authenticate(options)

    refused = post_json(web, f"/account/sign/{upload}/options", {})
    assert refused.status_code == 403
    body = refused.get_json()
    assert body["error"] == "insufficient_user_authentication"
    assert "nivel sustancial" in body["error_description"]
    assert "/account/assurance" in body["error_description"]

    assert _confirm_refused(web, upload, assertion) == (
        "Signing needs an identity verified at level substantial or higher; yours is at level "
        "low. Raise your level at /account/assurance and try again. Nothing was signed.")
    assert web.get(f"/account/sign/{upload}").status_code == 403
    _nothing_issued(docs_app)


def test_an_agency_cannot_have_a_self_asserted_citizen_sign(web, agency, self_asserted,
                                                            docs_app):
    """A document an agency prepared for signature does not open for an unverified signer."""
    import base64

    from tests.idp.documents.conftest import agency_token
    from tests.idp.oidc.conftest import claims_of, tokens_for

    sub = claims_of(tokens_for(web, agency, scope="openid profile")["id_token"])["sub"]
    token = agency_token(web, agency)
    created = post_json(web, "/api/documents/prepared",
                        {"subject": sub, "file_name": "contrato.pdf",
                         "pdf": base64.b64encode(_pdf()).decode()},
                        headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201, created.get_json()
    page = web.get(f"/account/sign/prepared/{created.get_json()['id']}")
    assert page.status_code == 403
    assert 'data-reason="identity"' in page.get_data(as_text=True)
    _nothing_issued(docs_app)


def test_once_proofed_the_same_citizen_can_sign(web, self_asserted, docs_app):
    proof_in_person(docs_app, self_asserted.citizen_id)
    assert web.get("/account/sign").status_code == 200
    upload = _upload_id(_upload(web, _pdf()))
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    response = post_json(web, f"/account/sign/{upload}/confirm",
                         self_asserted.key.authenticate(options))
    assert response.status_code == 200, response.get_json()


def test_a_proofed_citizen_whose_passkey_is_below_the_minimum_is_sent_to_step_up(docs_app):
    """With documents.minimum_signing_level = high, a citizen proofed in person who signed
    in with a synced passkey (substantial) is told to sign in with a stronger passkey."""
    web = docs_app.test_client()
    enrolled = enrol(web, key=SoftwareAuthenticator(backup_eligible=True))
    proof_in_person(docs_app, enrolled.citizen_id)
    with minimum_level(docs_app, "high"):
        page = web.get("/account/sign", headers={"Accept-Language": "en"})
        html = page.get_data(as_text=True)
        assert page.status_code == 403 and 'data-reason="passkey"' in html
        assert "only reaches level substantial, and signing needs level high" in html
        assert 'href="/login?reauth=1&amp;acr=high&amp;next=/account/sign"' in html
        upload = web.post("/account/sign", data={"csrf_token": csrf(web, "/enrol"),
                                                 "document": (io.BytesIO(_pdf()), "a.pdf")},
                          content_type="multipart/form-data")
        assert upload.status_code == 403
    _nothing_issued(docs_app)


def test_signing_in_a_stale_session_starts_with_a_passkey_recheck(web, signed_in, docs_app):
    """Issue 12: signing is a sensitive action; after account.reauth_seconds the citizen
    confirms with a passkey and comes back to the page that asked."""
    from tests.idp.conftest import age_session, recheck

    enrolled, _ = signed_in
    upload = _upload_id(_upload(web, _pdf()))
    age_session(web, 301)
    page = web.get("/account/sign")
    assert page.status_code == 303
    assert page.headers["Location"] == "/account/reauth?next=/account/sign"
    review = web.get(f"/account/sign/{upload}")
    assert review.headers["Location"] == f"/account/reauth?next=/account/sign/{upload}"
    options = post_json(web, f"/account/sign/{upload}/options", {})
    assert options.status_code == 403
    assert options.get_json()["error"] == "reauthentication_required"
    assert options.get_json()["reauth_uri"] == f"/account/reauth?next=/account/sign/{upload}"
    assert "firmar un documento" in options.get_json()["error_description"]
    stale_upload = _upload(web, _pdf("otro"))
    assert stale_upload.headers["Location"] == "/account/reauth?next=/account/sign"
    _nothing_issued(docs_app)

    assert recheck(web, enrolled.key).status_code == 200
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    response = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options))
    assert response.status_code == 200, response.get_json()


def test_the_approving_passkey_must_reach_the_minimum_too(web, docs_app, pki, metadata):  # noqa: F811
    """With documents.minimum_signing_level = high, a citizen signed in with a device-bound,
    attested security key (high) who also has a synced passkey (substantial): the options
    name only the security key, and an approval made with the synced passkey signs nothing
    (refused as a passkey the options did not name).
    The certificate's level is never above the passkey whose assertion it carries."""
    from tests.idp.assurance.conftest import all_formats_listed, device_key
    from tests.idp.documents.test_citizen_signing import _challenge

    metadata(all_formats_listed(pki))
    security_key = device_key(pki, counter_step=1)
    enrolled = enrol(web, security_key)
    proof_in_person(docs_app, enrolled.citizen_id)
    synced = SoftwareAuthenticator(backup_eligible=True, backed_up=True)
    options = post_json(web, "/webauthn/registration/options", {}).get_json()
    assert post_json(web, "/webauthn/registration/verify", synced.register(options)).status_code == 200

    with minimum_level(docs_app, "high"):
        upload = _upload_id(_upload(web, _pdf()))
        options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
        assert [c["id"] for c in options["allowCredentials"]] == [security_key.credential_id_b64]
        # Not one the options named (WebAuthn 7.2 step 5): refused before its level is read.
        refused = post_json(web, f"/account/sign/{upload}/confirm", synced.authenticate(options),
                            headers={"Accept-Language": "en"})
        assert refused.status_code == 400, refused.get_json()
        assert refused.get_json()["error"] == "invalid_credential"
        _nothing_issued(docs_app)

        options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
        assert len(_challenge(options)) == 64
        signed = post_json(web, f"/account/sign/{upload}/confirm",
                           security_key.authenticate(options))
        assert signed.status_code == 200, signed.get_json()
    pdf = web.get(f"/account/documents/{signed.get_json()['id']}/pdf").data
    report = web.post("/api/verify", data=pdf,
                      headers={"Content-Type": "application/pdf"}).get_json()
    assert report["signatures"][0]["assurance_level"] == "high"
    assert report["signatures"][0]["approval"]["level"] == "high"


@pytest.mark.parametrize("status", ["USER_VERIFICATION_BYPASS", "ATTESTATION_KEY_COMPROMISE",
                                    "REVOKED"])
def test_a_passkey_model_the_metadata_now_reports_compromised_signs_nothing(
        web, docs_app, pki, metadata, status):  # noqa: F811
    """MDS3 section 3.1.4: a model reported compromised after its passkey was registered
    (at level high). Before: the signature was made at level high with it."""
    from tests.idp.assurance.conftest import AAGUIDS, all_formats_listed, device_key

    metadata(all_formats_listed(pki))
    security_key = device_key(pki, counter_step=1)
    enrolled = enrol(web, security_key)
    proof_in_person(docs_app, enrolled.citizen_id)
    upload = _upload_id(_upload(web, _pdf()))
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    metadata([pki.entry(aaguid=AAGUIDS["packed-full"], statuses=["FIDO_CERTIFIED", status])])
    response = post_json(web, f"/account/sign/{upload}/confirm",
                         security_key.authenticate(options), headers={"Accept-Language": "en"})
    # The session opened with it is at level low now (`assess`), so the signing gate refuses
    # before the confirmation's own check of the model (`confirmation.finish`) is reached.
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"] == "insufficient_user_authentication"
    assert "level low" in response.get_json()["error_description"]
    _nothing_issued(docs_app)


def test_a_passkey_model_reported_after_registration_signs_in_at_level_low_only(
        web, docs_app, pki, metadata):  # noqa: F811
    """Before: the sign-in with it kept level high (the recorded attestation), step-up offered
    it, and only the signature's own check refused it. Now it still signs the citizen in (never
    locked out) but at level low: no step-up offers it above low, signing is refused by the
    gate, and the account page shows it at level low."""
    import uuid

    from idp.assurance.services import assess, credential_descriptors, passkey_levels
    from infra.db import get_db
    from tests.idp.assurance.conftest import AAGUIDS, all_formats_listed, device_key

    metadata(all_formats_listed(pki))
    security_key = device_key(pki, counter_step=1)
    enrolled = enrol(web, security_key)
    proof_in_person(docs_app, enrolled.citizen_id)
    amr = ("hwk", "user", "pin")
    with docs_app.app_context(), get_db(docs_app).read() as db:
        assert assess(db, citizen_id=enrolled.citizen_id, credential_id=security_key.credential_id,
                      amr=amr).authenticator == "high"
    metadata([pki.entry(aaguid=AAGUIDS["packed-full"], statuses=["FIDO_CERTIFIED", "USER_KEY_REMOTE_COMPROMISE"])])
    with docs_app.app_context(), get_db(docs_app).read() as db:
        found = assess(db, citizen_id=enrolled.citizen_id, credential_id=security_key.credential_id, amr=amr)
        assert (found.authenticator, found.level) == ("low", "low")
        assert credential_descriptors(db, citizen_id=enrolled.citizen_id, level="substantial") == []
        assert len(credential_descriptors(db, citizen_id=enrolled.citizen_id, level="low")) == 1
        assert [level for level, _ in passkey_levels(db, uuid.UUID(enrolled.citizen_id)).values()] == ["low"]
    assert web.get("/account").status_code == 200  # still signed in
    step_up = post_json(web, "/webauthn/authentication/options", {"acr": "substantial"})
    assert step_up.status_code == 403 and step_up.get_json()["error"] == "no_qualifying_passkey"
    assert web.get("/account/sign").status_code == 403  # the signing gate: level low
