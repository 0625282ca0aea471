"""Independent check: the IETF SD-JWT reference implementation (PyPI `sd-jwt`) verifies the
credentials Cédula issues, and Cédula's verifier accepts a presentation it builds. Then the
attacks on presentations: a disclosure removed, altered or added, a wrong nonce, audience or
holder key, an untrusted issuer."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from jwcrypto.jwk import JWK
from sd_jwt.holder import SDJWTHolder
from sd_jwt.verifier import SDJWTVerifier

from idp.wallet import sd_jwt, sd_jwt_vc, trust
from idp.wallet.errors import InvalidSdJwt
from tests.idp.wallet.conftest import new_offer, seal_root

AUDIENCE = "https://verifier.example"


@pytest.fixture
def held(web, birth, holder):
    link, tx_code = new_offer(web, birth["id"])
    return holder.receive(link, tx_code)


def test_the_reference_implementation_verifies_the_issued_credential(docs_app, held):
    root = seal_root(docs_app)
    seen = {}

    def issuer_key(issuer: str, header: dict) -> JWK:
        seen["issuer"], seen["typ"] = issuer, header["typ"]
        chain = trust.check_chain(header["x5c"], anchors=[root], now=datetime.now(UTC))
        return JWK.from_pem(chain.public_key_pem)

    verified = SDJWTVerifier(held.sd_jwt, issuer_key).get_verified_payload()
    assert seen["typ"] == "dc+sd-jwt" and seen["issuer"].startswith("http")
    assert verified["given_names"] and verified["born_on"] and verified["parents"]
    assert verified["place_of_birth"]["country"]
    assert verified["verification_code"] and verified["issuing_country"]
    assert "_sd" not in json.dumps(verified)


def _reference_presentation(held, holder, *, reveal: dict, nonce: str, aud: str = AUDIENCE) -> str:
    reference_holder = SDJWTHolder(held.sd_jwt)
    key = JWK.from_json(json.dumps(holder.key.as_dict(private=True)))
    reference_holder.create_presentation(reveal, nonce=nonce, aud=aud, holder_key=key)
    return reference_holder.sd_jwt_presentation


def test_a_presentation_built_by_the_reference_holder_is_accepted(docs_app, held, holder):
    presentation = _reference_presentation(held, holder, nonce="n-0123456789abcdef",
                                           reveal={"given_names": True, "born_on": True})
    result = sd_jwt_vc.verify(presentation, anchors=[seal_root(docs_app)], now=datetime.now(UTC),
                              nonce="n-0123456789abcdef", audience=AUDIENCE)
    assert result.claims["given_names"] and result.claims["born_on"]
    assert "surnames" not in result.claims and "parents" not in result.claims
    assert result.claims["issuing_country"]  # always shown, by the type metadata
    assert result.holder_jwk["x"] == holder.key.as_dict(private=False)["x"]


def _verify(app, presentation, *, nonce="n-0123456789abcdef", audience=AUDIENCE, anchors=None):
    return sd_jwt_vc.verify(presentation, anchors=anchors or [seal_root(app)], now=datetime.now(UTC),
                            nonce=nonce, audience=audience)


def test_a_removed_disclosure_breaks_the_key_binding(docs_app, held, holder):
    good = holder.present(held, reveal=[("given_names",), ("surnames",)],
                          nonce="n-0123456789abcdef", audience=AUDIENCE)
    parsed = sd_jwt.parse(good)
    removed = sd_jwt.serialize(parsed.jws, parsed.disclosures[1:], parsed.kb_jwt)
    with pytest.raises(InvalidSdJwt, match="sd_hash"):
        _verify(docs_app, removed)


def test_an_altered_or_foreign_disclosure_is_refused(docs_app, held, holder):
    parsed = held.parsed
    original = sd_jwt.Disclosure.parse(parsed.disclosures[0])
    forged = sd_jwt.Disclosure.make(original.name, "Alterado")
    chosen = [forged.encoded, *parsed.disclosures[1:]]
    presentation = holder.present(held, reveal=[], nonce="n-0123456789abcdef",
                                  audience=AUDIENCE, disclosures=chosen)
    with pytest.raises(InvalidSdJwt, match="not referenced"):
        _verify(docs_app, presentation)
    twice = holder.present(held, reveal=[], nonce="n-0123456789abcdef", audience=AUDIENCE,
                           disclosures=[parsed.disclosures[0], parsed.disclosures[0]])
    with pytest.raises(InvalidSdJwt, match="twice"):
        _verify(docs_app, twice)


def test_wrong_nonce_audience_holder_key_or_missing_binding_are_refused(docs_app, held, holder):
    from joserfc.jwk import ECKey

    good = holder.present(held, reveal=[("born_on",)], nonce="n-0123456789abcdef", audience=AUDIENCE)
    assert _verify(docs_app, good).claims["born_on"]
    with pytest.raises(InvalidSdJwt, match="nonce"):
        _verify(docs_app, good, nonce="another-nonce-value")
    with pytest.raises(InvalidSdJwt, match="aud"):
        _verify(docs_app, good, audience="https://other.example")
    stolen = holder.present(held, reveal=[("born_on",)], nonce="n-0123456789abcdef",
                            audience=AUDIENCE, key=ECKey.generate_key("P-256"))
    with pytest.raises(InvalidSdJwt, match="signature"):
        _verify(docs_app, stolen)
    with pytest.raises(InvalidSdJwt, match="no key binding"):
        _verify(docs_app, sd_jwt.parse(good).without_kb)


def test_a_credential_from_an_untrusted_issuer_is_refused(docs_app, held, holder):
    from cryptography.hazmat.primitives.asymmetric import ec

    from tests.idp.wallet.pid import self_signed_ca

    other = self_signed_ca("Otro emisor", ec.generate_private_key(ec.SECP256R1()))[0]
    good = holder.present(held, reveal=[("born_on",)], nonce="n-0123456789abcdef", audience=AUDIENCE)
    with pytest.raises(trust.UntrustedIssuer):
        _verify(docs_app, good, anchors=[other])
