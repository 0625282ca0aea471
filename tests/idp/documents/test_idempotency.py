"""`POST /api/documents` with `Idempotency-Key`: a retry gets the same document, never two."""

from __future__ import annotations

import json
import math
import threading

import pytest
import sqlalchemy as sa

from idp.documents.idempotency import fingerprint, idempotency_keys
from infra.clock import db_now
from infra.db import get_db
from infra.idempotency import InvalidKey, parse_key
from infra.models import IDEMPOTENCY
from signing.models import Document
from tests.idp.documents.conftest import agency_token, assert_replayed, consented_sub, register
from tests.idp.oidc.conftest import bearer
from tests.signing import samples


def _issue(web, token, key, **body):
    payload = {"template": "residence", "data": samples.RESIDENCE, "level": "B-B", **body}
    headers = {**bearer(token), **({"Idempotency-Key": key} if key is not None else {})}
    return web.post("/api/documents", data=json.dumps(payload), content_type="application/json",
                    headers=headers)


def _documents(app) -> int:
    with get_db(app).read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Document))


def test_a_retry_with_the_same_key_gets_the_same_document(web, docs_app, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    first = _issue(web, token, '"3f1c2d7e-5b7a-4a8e-9d1b-2c4e6f8a0b1c"', subject=sub)
    assert first.status_code == 201, first.get_json()
    again = _issue(web, token, '"3f1c2d7e-5b7a-4a8e-9d1b-2c4e6f8a0b1c"', subject=sub)
    assert_replayed(first, again)
    assert _documents(docs_app) == 1


def test_members_in_another_order_are_the_same_request(web, docs_app, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    first = _issue(web, token, "k-1", subject=sub)
    reordered = {"subject": sub, "level": "B-B", "data": dict(reversed(samples.RESIDENCE.items())),
                 "template": "residence"}
    again = web.post("/api/documents", data=json.dumps(reordered), content_type="application/json",
                     headers={**bearer(token), "Idempotency-Key": "k-1"})
    assert again.get_json()["id"] == first.get_json()["id"]


def test_the_same_key_with_another_body_is_422(web, docs_app, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    assert _issue(web, token, "k-1", subject=sub).status_code == 201
    other = _issue(web, token, "k-1", subject=sub, language="en")
    assert other.status_code == 422
    assert other.get_json() == {
        "error": "idempotency_key_reused",
        "error_description": "this Idempotency-Key was already used with a different request; "
                             "use a new key for a new request"}
    assert _documents(docs_app) == 1


def test_without_a_key_every_request_issues(web, docs_app, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    assert _issue(web, token, None, subject=sub).status_code == 201
    assert _issue(web, token, None, subject=sub).status_code == 201
    assert _documents(docs_app) == 2


def test_keys_are_scoped_to_the_agency(web, docs_app, agency, signed_in):
    """Another agency using the same key value gets its own document (and cannot read ours)."""
    _, sub = signed_in
    ours = _issue(web, agency_token(web, agency), "shared-key", subject=sub)
    other = register(docs_app, client_id="otra-agencia")
    theirs = _issue(web, agency_token(web, other), "shared-key", subject=consented_sub(web, other))
    assert ours.status_code == 201
    # Their request is worked on as their own (here: they hold no seal certificate), not
    # answered with our document.
    assert theirs.status_code == 409
    assert theirs.get_json()["error"] == "seal_unavailable"
    assert "Idempotent-Replayed" not in theirs.headers


def test_concurrent_duplicates_issue_one_document(web, docs_app, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    results: list[tuple[int, dict]] = []
    start = threading.Barrier(4)

    def send():
        client = docs_app.test_client()
        start.wait(60)
        response = _issue(client, token, "same-key", subject=sub)
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert _documents(docs_app) == 1
    issued = [body["id"] for status, body in results if status == 201]
    busy = [body for status, body in results if status == 409]
    assert len(issued) + len(busy) == 4 and len(set(issued)) == 1
    for body in busy:
        assert body["error"] == "request_in_progress"


def test_a_failed_attempt_leaves_the_key_free_for_the_retry(web, docs_app, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    bad = _issue(web, token, "k-2", subject=sub, data={"address": ""})
    assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_data"
    # the agency fixes nothing but retries the very same request: refused the same way, at once
    assert _issue(web, token, "k-2", subject=sub, data={"address": ""}).status_code == 422
    assert _documents(docs_app) == 0


def test_an_attempt_that_died_is_taken_over_after_its_lease(web, docs_app, agency, signed_in, monkeypatch):
    """A node killed while sealing leaves the key claimed; the retry waits for the claim to run
    out (409 with Retry-After), then issues the document once."""
    _, sub = signed_in
    token = agency_token(web, agency)
    keys = idempotency_keys(docs_app)
    payload = {"template": "residence", "data": samples.RESIDENCE, "level": "B-B", "subject": sub}
    # The claim runs out when the test says so (below), not after a time a busy machine can
    # overrun between two requests: a lease of 1.5 s and a pause of 1.6 s failed by chance.
    monkeypatch.setattr(keys, "lease_seconds", 600)
    scope = f"documents:{agency.client_id}"
    dead = keys.begin(scope=scope, key="k-3", fingerprint=fingerprint(payload))
    assert dead.holder  # ... and that request's node dies here
    claimed = (IDEMPOTENCY.c.scope == scope) & (IDEMPOTENCY.c.key == "k-3")

    def left() -> float:
        with keys.database.read() as session:
            return float(session.execute(sa.select(IDEMPOTENCY.c.lease_until - db_now()).where(claimed)).scalar())

    most = left()
    busy = _issue(web, token, "k-3", subject=sub)
    least = left()
    assert busy.status_code == 409
    # What is left of the claim, rounded up:
    assert math.ceil(least) <= int(busy.headers["Retry-After"]) <= math.ceil(most)
    assert busy.get_json()["error"] == "request_in_progress"
    with keys.database.transaction() as session:  # the dead node's claim runs out
        session.execute(sa.update(IDEMPOTENCY).where(claimed).values(lease_until=db_now() - 1))
    retried = _issue(web, token, "k-3", subject=sub)
    assert retried.status_code == 201, retried.get_json()
    assert _documents(docs_app) == 1


@pytest.mark.parametrize(("header", "message"), [
    ("", "1 to 255 characters, got 0"),
    ("x" * 256, "1 to 255 characters, got 256"),
    ("with space", "only visible ASCII"),
    ('"a\\"b"', "only visible ASCII"),
])
def test_invalid_keys_are_refused(header, message):
    with pytest.raises(InvalidKey, match=message):
        parse_key(header)


def test_an_invalid_key_is_a_400(web, agency, signed_in):
    _, sub = signed_in
    response = _issue(web, agency_token(web, agency), "with space", subject=sub)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_idempotency_key"
