"""`/jwks.json`: answered from a body encoded once per set of published keys, with an ETag and
max-age, and a rotation shows the new key at once."""

from __future__ import annotations

from keys import views


def test_jwks_is_cacheable_and_answers_304_to_its_etag(service, fresh_app):
    client = fresh_app.test_client()
    first = client.get("/jwks.json")
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert first.headers["Cache-Control"] == f"public, max-age={service.keyring.cache_seconds}"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    kids = {k["kid"] for k in first.get_json()["keys"]}
    assert kids == {k.kid for k in service.keyring.published(service.now())}
    again = client.get("/jwks.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_jwks_body_is_encoded_once_per_key_set(service, fresh_app):
    client = fresh_app.test_client()
    client.get("/jwks.json")
    kept = views._JWKS_BODIES[service.keyring]
    client.get("/jwks.json")
    assert views._JWKS_BODIES[service.keyring] is kept


def test_a_rotation_shows_the_new_key_and_a_new_etag(service, fresh_app):
    client = fresh_app.test_client()
    before = client.get("/jwks.json")
    result = service.keyring.rotate(service.now(), algs=("ES256",))
    after = client.get("/jwks.json", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200, "the old ETag must not match once a key is added"
    assert result.published[0].kid in {k["kid"] for k in after.get_json()["keys"]}
    assert after.headers["ETag"] != before.headers["ETag"]


def test_an_empty_key_set_is_not_kept_by_caches(fresh_app):
    """Before the first key is made (on demand, at the first signature), the set is empty: a
    relying party or a proxy that kept it for max-age would refuse the first ID tokens."""
    from keys import get_service

    get_service(fresh_app).invalidate()
    empty = fresh_app.test_client().get("/jwks.json")
    assert empty.status_code == 200 and empty.get_json() == {"keys": []}
    assert empty.headers["Cache-Control"] == "no-store"


def test_the_pki_endpoints_before_pki_init_answer_503_with_retry_after(fresh_app):
    """`/pki/*` answered 503 pki_not_initialised without Retry-After (every 503 carries one)."""
    from infra.config import get_settings
    from keys import get_service

    get_service(fresh_app).invalidate()
    client = fresh_app.test_client()
    seconds = str(get_settings(fresh_app).server.retry_after_seconds)
    for answer in (client.get("/pki/ca/root.cer"), client.get("/pki/crl/issuing.crl"),
                   client.post("/pki/tsa", data=b"\x30\x00", content_type="application/timestamp-query")):
        assert answer.status_code == 503, answer.data
        assert answer.get_json()["error"] == "pki_not_initialised"
        assert answer.headers["Retry-After"] == seconds


def test_a_key_store_outage_answers_503_with_retry_after(fresh_app, monkeypatch):
    """`key_store_unavailable` was a 503 without Retry-After (every 503 carries one), whether the
    store said it is unavailable or failed otherwise."""
    from infra.config import get_settings
    from keys.errors import KeyStoreError, KeyStoreUnavailable

    seconds = str(get_settings(fresh_app).server.retry_after_seconds)
    for error in (KeyStoreUnavailable("the HSM does not answer"), KeyStoreError("broken")):
        def failing(*_args: object, error: Exception = error) -> None:
            raise error

        monkeypatch.setattr(views, "_jwks_body", failing)
        answer = fresh_app.test_client().get("/jwks.json")
        assert answer.status_code == 503, answer.data
        assert answer.get_json()["error"] == "key_store_unavailable"
        assert answer.headers["Retry-After"] == seconds
