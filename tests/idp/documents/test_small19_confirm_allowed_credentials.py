"""A document confirmation is answered only by a passkey its options named (review, small19).

`POST /account/sign/<upload>/options` names in allowCredentials only the citizen's passkeys
that reach the signing minimum (documents.minimum_signing_level). The confirmation then took
an assertion from any passkey of the citizen: W3C WebAuthn Level 3, 7.2 step 5 was not
checked there (the step-up sign-in was fixed the same way, fe8c18b6). Now the options' list is
kept with the document's challenge, and another credential is refused (400
invalid_credential, saying to use one of the passkeys that reach the level asked), in Spanish
and English, before anything is recorded or signed."""

from __future__ import annotations

from tests.idp.assurance.conftest import add_device_key, all_formats_listed, metadata, pki  # noqa: F401
from tests.idp.conftest import post_json, sign_in
from tests.idp.documents.test_citizen_signing import _pdf, _upload, _upload_id
from tests.idp.documents.test_signing_eligibility import minimum_level


def _state(app, citizen_id: str) -> tuple[int, int]:
    """(the citizen's passkey uses, signed documents)."""
    import uuid

    import sqlalchemy as sa

    from idp.citizens.models import Passkey
    from infra.db import get_db
    from signing.models import Document

    with get_db(app).read() as session:
        uses = sum(session.scalars(sa.select(Passkey.sign_count).where(
            Passkey.citizen_id == uuid.UUID(citizen_id))))
        return uses, session.query(Document).count()


def test_a_confirmation_refuses_a_passkey_its_options_did_not_name(web, signed_in, pki, metadata):  # noqa: F811
    enrolled, _ = signed_in
    metadata(all_formats_listed(pki))
    device = add_device_key(web, pki)  # attested, device-bound: reaches high; the first does not
    assert sign_in(web, device).status_code == 200  # a session at level high
    app = web.application
    with minimum_level(app, "high"):
        upload = _upload_id(_upload(web, _pdf()))
        for language, words in (("es", "las que alcanzan ese nivel"),
                                ("en", "those that reach that level")):
            options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
            assert [c["id"] for c in options["allowCredentials"]] == [device.credential_id_b64]
            before = _state(app, enrolled.citizen_id)
            refused = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options),
                                headers={"Accept-Language": language})
            assert refused.status_code == 400, refused.get_json()
            assert refused.get_json()["error"] == "invalid_credential"
            assert words in refused.get_json()["error_description"], refused.get_json()
            assert _state(app, enrolled.citizen_id) == before  # nothing used, nothing signed
        # The passkey the options named confirms the document.
        options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
        confirmed = post_json(web, f"/account/sign/{upload}/confirm", device.authenticate(options))
        assert confirmed.status_code == 200, confirmed.get_json()
        assert _state(app, enrolled.citizen_id)[1] == 1
