"""The issue and prepare APIs' OpenAPI descriptions match what the endpoints do: every answer
an endpoint gives is one its operation lists (status, `error` code named in the description,
body schema, headers), and every answer listed is one the endpoint gives. The document lacked
the malformed-body 400 (`invalid_request`), the 413 of a body above `[server] max_body_bytes`,
the 403 `invalid_origin`, and the 503's Retry-After of an outage (the issue API's 503 of a seal
that failed sent none)."""

from __future__ import annotations

import base64
import json
import uuid

import jsonschema
import pytest

from idp.documents import idempotency
from idp.documents.prepared import body_limit
from infra.config import get_settings
from signing import issuance
from signing.pades import SealError
from signing.service import get_documents
from tests.idp.documents.conftest import agency_token
from tests.idp.documents.test_citizen_signing import _pdf
from tests.idp.oidc.conftest import bearer
from tests.signing import samples
from tests.signing.test_hostile_input import every_slot_taken
from tests.support.openapi import check_answers, error_named, undocumented

PDF = base64.b64encode(_pdf("firma")).decode()
BODIES = {"/api/documents": {"template": "residence", "data": samples.RESIDENCE, "level": "B-B"},
          "/api/documents/prepared": {"file_name": "contrato.pdf", "pdf": PDF}}
_AGENCY_OF = {"/api/documents": "documents", "/api/documents/prepared": "prepared"}


def _answers(web, app, token: str, client_id: str, sub: str, path: str, monkeypatch) -> list:
    """One request for each answer the endpoint can give (what an agency may meet)."""
    body = {**BODIES[path], "subject": sub}

    def post(data=None, *, headers=None, content_type="application/json", token_=token):
        raw = data if isinstance(data, str | bytes) else json.dumps(body if data is None else data)
        return web.post(path, data=raw, content_type=content_type,
                        headers={**(bearer(token_) if token_ else {}), **(headers or {})})

    answers = [post(headers={"Idempotency-Key": f"ok-{uuid.uuid4()}"}),  # 201
               post("{"),  # 400 invalid_request: not JSON
               post(json.dumps([body])),  # 400 invalid_request: not an object
               post(headers={"Idempotency-Key": "x" * 256}),  # 400 invalid_idempotency_key
               post(token_=None),  # 401 invalid_token: no token
               post(token_="not-a-token"),  # 401 invalid_token
               post(headers={"Origin": "https://elsewhere.example"}),  # 403 invalid_origin
               post(content_type="text/plain"),  # 415
               post({**body, "colour": "blue"}),  # 422 invalid_data
               ]
    limit = (body_limit(get_documents(app).settings.max_bytes) if path.endswith("prepared")
             else get_settings(app).server.max_body_bytes)
    answers.append(post(json.dumps({**body, "padding": "x" * limit})))  # 413 above the body limit
    key = f"reused-{uuid.uuid4()}"
    answers += [post(headers={"Idempotency-Key": key}),
                post({**body, "subject": sub + "x"}, headers={"Idempotency-Key": key})]  # 422 reused
    running = f"running-{uuid.uuid4()}"  # the first request with this key is still working
    idempotency.begin(idempotency.idempotency_keys(app), client_id=client_id, header=running,
                      body=body, operation=_AGENCY_OF[path])
    answers.append(post(headers={"Idempotency-Key": running}))  # 409 request_in_progress
    if path == "/api/documents":
        def seal_failed(*_args, **_kwargs):
            raise SealError("the time-stamping authority did not answer")

        with monkeypatch.context() as patched:
            patched.setattr(issuance, "seal", seal_failed)
            answers.append(post())  # 503 temporarily_unavailable: nothing issued
    else:
        big = base64.b64encode(b"%PDF-1.7\n" + b"0" * get_documents(app).settings.max_bytes).decode()
        answers.append(post({**body, "pdf": big}))  # 413 document_too_large
        with every_slot_taken(monkeypatch):
            answers.append(post())  # 503 temporarily_unavailable: too many files being read
    with monkeypatch.context() as patched:  # the agency's calls past [rate_limit] documents_api
        patched.setitem(get_settings(app)["rate_limit"], "documents_api", 1)
        answers.append(post())  # 429 too_many_requests
    return answers


@pytest.mark.parametrize("path", sorted(BODIES))
def test_every_answer_is_described_and_every_description_answered(web, docs_app, agency, signed_in,
                                                                  path, monkeypatch):
    _, sub = signed_in
    token = agency_token(web, agency)
    document = web.get("/openapi.json").get_json()
    errors = check_answers(document, "post", path, _answers(web, docs_app, token, agency.client_id, sub, path,
                                                            monkeypatch))
    # ... and the guide's table of errors tells an agency developer what to do about each one.
    assert undocumented(errors) == set(), (path, "not in docs/agencies.md's errors table", undocumented(errors))


def _other_answers(web, app, token: str, narrow: str, sub: str, monkeypatch) -> dict:
    """(method, path) -> the answers each of the other operations gives, one request each."""
    issued = web.post("/api/documents", data=json.dumps({**BODIES["/api/documents"], "subject": sub}),
                      content_type="application/json", headers=bearer(token)).get_json()["id"]
    prepared = web.post("/api/documents/prepared", content_type="application/json", headers=bearer(token),
                        data=json.dumps({**BODIES["/api/documents/prepared"], "subject": sub})).get_json()["id"]
    replacement = web.post("/api/documents", content_type="application/json", headers=bearer(token),
                           data=json.dumps({**BODIES["/api/documents"], "subject": sub})).get_json()["id"]
    reads = {("get", "/api/documents/{id}"): "/api/documents/{}",
             ("get", "/api/documents/{id}/pdf"): "/api/documents/{}/pdf",
             ("get", "/api/documents/prepared/{id}"): "/api/documents/prepared/{}",
             ("delete", "/api/documents/prepared/{id}"): "/api/documents/prepared/{}",
             ("post", "/api/documents/{document_id}/revoke"): "/api/documents/{}/revoke"}
    answers: dict = {operation: [] for operation in reads}

    def call(method, url, token_=token, headers=None, **kwargs):
        return web.open(url, method=method.upper(),
                        headers={**(bearer(token_) if token_ else {}), **(headers or {})}, **kwargs)

    revoke_body = {"reason": "replaced", "superseded_by": replacement}
    for (method, template), url in reads.items():
        own = url.format(prepared if "prepared" in url else issued)
        extra = ({"data": json.dumps(revoke_body), "content_type": "application/json"}
                 if method == "post" else {})
        given = answers[(method, template)]
        given.append(call(method, own, token_=None, **extra))  # 401
        given.append(call(method, own, token_=narrow, **extra))  # 403 insufficient_scope
        given.append(call(method, url.format("no-such-document"), **extra))  # 404
        given.append(call(method, own, **extra))  # 200
        if method != "get":
            given.append(call(method, own, **extra))  # 409: withdrawn or revoked already
    revoke = answers[("post", "/api/documents/{document_id}/revoke")]
    own = f"/api/documents/{issued}/revoke"
    revoke += [call("post", own, data="{", content_type="application/json"),  # 400
               call("post", own, data="reason=x", content_type="text/plain"),  # 415
               call("post", own, data=json.dumps({"reason": ""}), content_type="application/json"),  # 422
               call("post", own, content_type="application/json", data=json.dumps(
                   {"reason": "x" * get_settings(app).server.max_body_bytes})),  # 413
               call("post", own, data=json.dumps(revoke_body), content_type="application/json",
                    headers={"Origin": "https://elsewhere.example"})]  # 403 invalid_origin
    from idp.schema import SCHEMA
    from infra.db import DATABASE, Database
    from tests.support.components import replace_component
    from tests.support.ports import free_port

    dead = Database(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none", schema=SCHEMA)
    with monkeypatch.context() as patched:
        replace_component(patched, app, DATABASE, dead)
        for (method, template), url in reads.items():
            extra = ({"data": json.dumps(revoke_body), "content_type": "application/json"}
                     if method == "post" else {})
            answers[(method, template)].append(call(method, url.format(issued), **extra))  # 503
    dead.dispose()
    with monkeypatch.context() as patched:  # the agency's calls past [rate_limit] documents_api
        patched.setitem(get_settings(app)["rate_limit"], "documents_api", 1)
        for (method, template), url in reads.items():
            extra = ({"data": json.dumps(revoke_body), "content_type": "application/json"}
                     if method == "post" else {})
            answers[(method, template)].append(call(method, url.format(issued), **extra))  # 429
    return answers


def test_the_other_operations_answer_as_described(web, docs_app, agency, signed_in, monkeypatch):
    """GET a document, its PDF, a prepared one, DELETE it and revoke: their 403 (a token
    without documents:issue), 503 (the database stopped) and the revocation's 413 and 403
    invalid_origin were not described."""
    from tests.idp.documents.conftest import register

    _, sub = signed_in
    token = agency_token(web, agency)
    other = register(docs_app, client_id=f"narrow-{uuid.uuid4().hex[:8]}",
                     scope="openid documents:issue indicators:read")
    narrow = agency_token(web, other, scope="indicators:read")
    document = web.get("/openapi.json").get_json()
    for (method, path), responses in _other_answers(web, docs_app, token, narrow, sub,
                                                    monkeypatch).items():
        operation = document["paths"][path][method]
        described = {status for status in operation["responses"] if status != "4XX"}
        given = set()
        for response in responses:
            status = str(response.status_code)
            given.add(status)
            answer = operation["responses"].get(status)
            assert answer is not None, (method, path, status, response.get_json(), sorted(described))
            if response.mimetype != "application/json":
                continue
            schema = answer["content"]["application/json"]["schema"]
            jsonschema.validate(response.get_json(), {**schema, "components": document["components"]})
            if status >= "400":
                assert error_named(answer["description"], response.get_json()["error"]), (
                    method, path, status, response.get_json()["error"], answer["description"])
            if status == "503":
                assert "Retry-After" in response.headers and answer["headers"]["Retry-After"]["required"]
        assert given == described, (method, path, described ^ given)
