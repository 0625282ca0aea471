"""A document confirmation names the citizen's passkeys (allowCredentials): the user is
identified before the ceremony, so an assertion whose userHandle is null is verified against
the signed-in citizen's passkey (W3C WebAuthn Level 3, section 7.2 step 6) and the document is
signed; one naming another user is refused and nothing is signed."""

from __future__ import annotations

from tests.idp.conftest import post_json
from tests.idp.documents.test_citizen_signing import _pdf, _upload, _upload_id


def _documents(app) -> int:
    from infra.db import get_db
    from signing.models import Document

    with get_db(app).read() as session:
        return session.query(Document).count()


def test_a_confirmation_without_user_handle_signs_the_document(web, signed_in):
    enrolled, _ = signed_in
    upload = _upload_id(_upload(web, _pdf()))
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    assertion = enrolled.key.authenticate(options)
    assertion["response"]["userHandle"] = None
    response = post_json(web, f"/account/sign/{upload}/confirm", assertion)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "ok"
    assert _documents(web.application) == 1


def test_a_confirmation_naming_another_user_signs_nothing(web, signed_in):
    enrolled, _ = signed_in
    upload = _upload_id(_upload(web, _pdf()))
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    response = post_json(web, f"/account/sign/{upload}/confirm",
                         enrolled.key.authenticate(options, user_handle=b"\x01" * 32))
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "invalid_credential"
    assert _documents(web.application) == 0
