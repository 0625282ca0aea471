"""Hostile requests to the direct routes (`infra.web.direct_routes`: POST /token, GET and POST
/userinfo, GET /authorize): each is sent through the whole WSGI app with the direct routes on
and off, and both answers must be the same (status line, headers in order, body), never a 500.
The parity of ordinary requests is in tests/idp/oidc/test_direct_routes.py."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest

from tests.idp.oidc.conftest import Flow, authorize_url, get_code
from tests.idp.oidc.test_direct_authorize import compare, cookie_of, get
from tests.idp.oidc.test_direct_authorize import normalised as authorize_normalised
from tests.idp.oidc.test_direct_routes import FORM, Answered, Sent, basic, form, same_answer, send, token_post

CLIENT_CREDENTIALS = form(grant_type="client_credentials")


def _error(answer: Answered) -> str:
    return json.loads(answer.body)["error"]


def alike(app, make: Any) -> Answered:
    """`make()`'s request with the direct routes on and off: the same answer, whoever answered
    (the direct route, or Flask after it declined). Returns the first answer."""
    on = send(app, make(), direct=True)
    off = send(app, make(), direct=False)
    if dict(on.headers).get("Content-Type") == "application/json":
        assert on.normalised() == off.normalised()  # tokens masked
    else:
        assert authorize_normalised(on) == authorize_normalised(off)  # codes, interactions masked
    return on


def _not_500(answer: Answered) -> Answered:
    assert not answer.status.startswith("5"), (answer.status, answer.body[:300])
    return answer


def _agency(register) -> Any:
    return register(scope="openid profile documents:issue", security_profile="oidc",
                    grant_types=["authorization_code", "refresh_token", "client_credentials"])


# --- duplicate parameters ------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    b"grant_type=client_credentials&grant_type=client_credentials",
    b"grant_type=authorization_code&code=a&code=a&redirect_uri=x&code_verifier=y",
    b"grant_type=client_credentials&client_id=a&client_id=b",
    b"grant_type=client_credentials&client_secret=a&client_secret=a",
    b"grant_type=client_credentials&scope=openid&scope=openid",
])
def test_a_parameter_given_twice_is_invalid_request_on_both_paths(client, register, body):
    agency = _agency(register)
    refused = same_answer(client.application, lambda: token_post(agency, body))
    assert refused.status.startswith("400") and _error(refused) == "invalid_request"


def test_two_client_ids_in_the_body_without_basic_are_invalid_request(client, register):
    agency = _agency(register)
    body = form(grant_type="client_credentials") + f"&client_id={agency.client_id}&client_id=other".encode()
    refused = same_answer(client.application, lambda: Sent("POST", "/token", {}, body, FORM))
    assert refused.status.startswith("400") and _error(refused) == "invalid_request"


def test_basic_and_a_client_secret_in_the_body_are_refused_alike(client, register):
    agency = _agency(register)
    body = CLIENT_CREDENTIALS + f"&client_id={agency.client_id}&client_secret={agency.secret}".encode()
    answer = _not_500(same_answer(client.application, lambda: token_post(agency, body)))
    assert answer.status.startswith(("400", "401")), answer.status


# --- undecodable input -----------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "x=\xff",  # a raw byte that is not UTF-8 (the environ holds it as latin-1)
    "x=\xc3\xa9",  # a raw UTF-8 é
    "x=%ff%zz",
    "x=%",
    "%00=1",
    "=&&=",
    "x=" + "a" * 8000,
])
@pytest.mark.parametrize("target", ["token", "userinfo"])
def test_odd_query_strings_are_answered_alike(client, register, query, target):
    agency = _agency(register)
    app = client.application
    if target == "token":
        def make() -> Sent:
            return token_post(agency, CLIENT_CREDENTIALS, environ={"QUERY_STRING": query})
    else:
        def make() -> Sent:
            return Sent("GET", "/userinfo", {"Authorization": "Bearer x"}, environ={"QUERY_STRING": query})
    _not_500(same_answer(app, make))


@pytest.mark.parametrize("body", [
    b"grant_type=client_credentials&x=\xff",
    b"grant_type=client_credentials&x=%",
    b"grant_type=client_credentials&&&=",
    b"grant_type=client_credentials;scope=openid",
    b"grant_type=client_credentials&x=" + b"%e9" * 100,
    b"\xef\xbb\xbfgrant_type=client_credentials",  # a byte order mark
    b"grant_type=client+credentials",
])
def test_odd_form_bodies_are_answered_alike(client, register, body):
    agency = _agency(register)
    _not_500(same_answer(client.application, lambda: token_post(agency, body)))


@pytest.mark.parametrize("authorization", [
    "Basic " + base64.b64encode("é:secret".encode("latin1")).decode(),  # not UTF-8
    "Basic " + base64.b64encode(b"%ff:%zz").decode(),  # undecodable escapes (RFC 6749 2.3.1)
    "Basic " + base64.b64encode(b"no-colon").decode(),
    "Basic !!!",
    "Basic",
    "\xe9",
    "Bearer x, Basic y",
])
def test_odd_authorization_headers_on_token_are_answered_alike(client, register, authorization):
    app = client.application
    _not_500(same_answer(app, lambda: Sent("POST", "/token", {"Authorization": authorization},
                                           CLIENT_CREDENTIALS, FORM)))


@pytest.mark.parametrize("authorization", ["Bearer \xe9\xe9", "Bearer a\x00b", "Bearer " + "a" * 10000,
                                           "DPoP \xe9", "bearer x", "Bearer  x"])
def test_odd_authorization_headers_on_userinfo_are_answered_alike(client, authorization):
    _not_500(same_answer(client.application, lambda: Sent("GET", "/userinfo", {"Authorization": authorization})))


# --- lengths, encodings, methods -------------------------------------------------------------------

@pytest.mark.parametrize("declared", ["05", "0", "+5", "-1", " 5", "5 ", "\xb2", "1e3", "9" * 5000,
                                      "99999999999999999999"])
def test_odd_content_lengths_are_answered_alike(client, register, declared):
    agency = _agency(register)
    _not_500(alike(client.application, lambda: token_post(agency, CLIENT_CREDENTIALS,
                                                          environ={"CONTENT_LENGTH": declared})))


def test_a_length_and_chunked_transfer_encoding_together(client, register):
    agency = _agency(register)
    _not_500(same_answer(client.application, lambda: token_post(
        agency, CLIENT_CREDENTIALS, headers={"Transfer-Encoding": "chunked"})))


def test_a_body_longer_than_declared_is_read_as_declared(client, register):
    agency = _agency(register)
    body = CLIENT_CREDENTIALS + b"&grant_type=x"
    ok = same_answer(client.application, lambda: token_post(
        agency, body, environ={"CONTENT_LENGTH": str(len(CLIENT_CREDENTIALS))}))
    assert ok.status == "200 OK"


class _Trickle(io.RawIOBase):
    """A body that comes a few bytes per read (as a slow client's may)."""

    def __init__(self, body: bytes) -> None:
        self.left = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        piece, self.left = self.left[:3], self.left[3:]
        buffer[:len(piece)] = piece
        return len(piece)


class _Broken(io.RawIOBase):
    """A body whose reading fails (the connection dropped)."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise OSError("connection reset")


@pytest.mark.parametrize("terminated", [False, True])
def test_a_body_that_comes_in_pieces_is_read_alike(client, register, terminated):
    agency = _agency(register)
    ok = same_answer(client.application, lambda: token_post(agency, CLIENT_CREDENTIALS, environ={
        "wsgi.input": _Trickle(CLIENT_CREDENTIALS), **({"wsgi.input_terminated": True} if terminated else {})}))
    assert ok.status == "200 OK"


@pytest.mark.parametrize("terminated", [False, True])
def test_a_body_that_cannot_be_read_is_answered_alike(client, register, terminated):
    agency = _agency(register)
    refused = same_answer(client.application, lambda: token_post(agency, CLIENT_CREDENTIALS, environ={
        "wsgi.input": _Broken(), **({"wsgi.input_terminated": True} if terminated else {})}))
    assert refused.status.startswith("400")


def test_a_body_shorter_than_declared_is_answered_alike(client, register):
    agency = _agency(register)
    refused = same_answer(client.application, lambda: token_post(
        agency, CLIENT_CREDENTIALS, environ={"CONTENT_LENGTH": str(len(CLIENT_CREDENTIALS) + 10)}))
    assert refused.status.startswith("400")


def test_a_terminated_body_is_read_to_its_end_alike(client, register):
    """A server that ends the stream itself (`wsgi.input_terminated`, as granian): the body is
    read to its end, whatever length was declared, up to the body limit."""
    agency = _agency(register)
    body = CLIENT_CREDENTIALS + b"&grant_type=x"
    refused = same_answer(client.application, lambda: token_post(
        agency, body, environ={"CONTENT_LENGTH": str(len(CLIENT_CREDENTIALS)), "wsgi.input_terminated": True}))
    assert refused.status.startswith("400") and _error(refused) == "invalid_request"


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=x", "text/plain", "application/json",
                                          "APPLICATION/X-WWW-FORM-URLENCODED", "application/x-www-form-urlencoded;",
                                          "application/x-www-form-urlencoded; charset=latin-1", "\xe9/\xe9", ";"])
def test_content_types_are_answered_alike(client, register, content_type):
    agency = _agency(register)
    _not_500(same_answer(client.application, lambda: token_post(agency, CLIENT_CREDENTIALS,
                                                                content_type=content_type)))


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "post", "PUT", "DELETE", "TRACE"])
def test_other_methods_are_left_to_flask(client, register, method):
    agency = _agency(register)
    answered = send(client.application, token_post(agency, CLIENT_CREDENTIALS) if method == "post" else
                    Sent(method, "/token", basic(agency), CLIENT_CREDENTIALS, FORM), direct=True)
    _not_500(answered)
    if method != "post":
        assert answered.flask_dispatches == 1


@pytest.mark.parametrize("path", ["//token", "/token/", "/TOKEN", "/./token", "/token\x00", "/tok\xe9n"])
def test_odd_paths_are_answered_alike(client, register, path):
    agency = _agency(register)
    _not_500(alike(client.application, lambda: token_post(agency, CLIENT_CREDENTIALS, environ={"PATH_INFO": path})))


# --- proxies, hosts, cookies ------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {"X-Forwarded-For": "203.0.113.9, 198.51.100.1", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil"},
    {"Host": "evil.example"},
    {"Host": "\xe9"},
    {"Cookie": "cedula_session=\xff\xfe; a=\"b\\\"c\""},
    {"Cookie": "=; ; ;;=x"},
    {"Accept-Language": "\xe9\xe9;q=abc, *;q=2"},
    {"X-Request-Id": "\xe9\t"},
    {"X-Request-Id": "a" * 5000},
])
def test_odd_headers_are_answered_alike(client, register, headers):
    agency = _agency(register)
    app = client.application
    _not_500(same_answer(app, lambda: token_post(agency, CLIENT_CREDENTIALS, headers=dict(headers))))
    _not_500(same_answer(app, lambda: Sent("GET", "/userinfo", {"Authorization": "Bearer x", **headers})))


@pytest.mark.parametrize("cookie", ["\xff\xfe=\xff", "a=\"\\377\"", "cedula_session=%ff%zz",
                                    "cedula_session=\"unterminated", "x" * 5000 + "=1"])
def test_odd_cookies_on_authorize_are_answered_alike(client, register, citizen, cookie):
    agency = register()
    get_code(client, agency)
    url = authorize_url(agency, Flow())
    jar = cookie_of(client).get("Cookie", "")
    for sent in (cookie, f"{cookie}; {jar}", f"{jar}; {cookie}"):
        _not_500(compare(client.application, _NoEffects(), lambda: get(url, {"Cookie": sent}),  # noqa: B023
                         direct=_answered_directly(client.application, url, sent)))


# --- /authorize --------------------------------------------------------------------------------------

@pytest.mark.parametrize("extra", ["&client_id=other", "&state=a", "&redirect_uri=x", "&response_type=code",
                                   "&nonce=\xff", "&scope=openid%00", "&code_challenge=a"])
def test_duplicate_or_odd_authorize_parameters_are_answered_alike(client, register, citizen, extra):
    agency = register()
    get_code(client, agency)
    url = authorize_url(agency, Flow()) + extra
    app = client.application
    headers = cookie_of(client)
    first = _not_500(send(app, get(url, headers), direct=True))
    flask = _not_500(send(app, get(url, headers), direct=False))
    assert first.status == flask.status


class _NoEffects:
    """`compare`'s effect log, unused: the effects of the cookie tests are the codes' own."""

    def of(self, run: Any) -> tuple[Answered, list[Any]]:
        return run(), []


def _answered_directly(app, url: str, cookie: str) -> bool:
    return send(app, get(url, {"Cookie": cookie}), direct=True).flask_dispatches == 0


def test_a_query_that_is_not_utf8_is_invalid_request_everywhere(client, register, citizen):
    """A raw byte that is not UTF-8 in the query (the environ holds it as latin-1) was a 500 on
    both paths (werkzeug's `Request.args` raised UnicodeDecodeError): now a 400 before any view."""
    agency = _agency(register)
    app = client.application
    for make in (lambda: token_post(agency, CLIENT_CREDENTIALS, environ={"QUERY_STRING": "x=\xff"}),
                 lambda: Sent("GET", "/userinfo", {"Authorization": "Bearer x"}, environ={"QUERY_STRING": "\xff"})):
        refused = same_answer(app, make)
        assert refused.status.startswith("400") and _error(refused) == "invalid_request"
    url = authorize_url(agency, Flow())
    query = url.split("?", 1)[1] + "&nonce=\xff"
    page = alike(app, lambda: get(url, cookie_of(client), environ={"QUERY_STRING": query}))
    assert page.status.startswith("400")
    assert send(app, Sent("GET", "/", {}, environ={"QUERY_STRING": "a=\xff"}), direct=True).status.startswith("400")


def test_cookies_are_read_as_flask_reads_them(client, register, citizen):
    """A cookie that is not UTF-8 was a 500 on the direct path (werkzeug's environ reader decodes
    it again as UTF-8); Flask reads the header's latin-1 text as it is. A UTF-8 one is read alike."""
    agency = register()
    get_code(client, agency)
    app = client.application
    url = authorize_url(agency, Flow())
    jar = cookie_of(client)["Cookie"]
    for odd in ("\xff=\xff", "a=\xc3\xa9"):
        answer = alike(app, lambda: get(url, {"Cookie": f"{odd}; {jar}"}))  # noqa: B023
        assert answer.status == "302 FOUND" and "code=" in dict(answer.headers)["Location"]


def test_a_basic_header_that_is_not_ascii_is_invalid_client(client, register):
    """`idp.oidc.client_auth._basic`: base64 of a str that is not ASCII raises ValueError (not
    binascii.Error): a 500 on both paths until it is caught as the other undecodable headers."""
    app = client.application
    refused = same_answer(app, lambda: Sent("POST", "/token", {"Authorization": "Basic \xe9\xe9"},
                                            CLIENT_CREDENTIALS, FORM))
    assert refused.status.startswith("401") and _error(refused) == "invalid_client"
    assert any(name == "WWW-Authenticate" for name, _ in refused.headers)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_NUL_ASSERTION = ".".join([_b64url(b'{"alg":"ES256"}'), _b64url(b'{"sub":"a\\u0000b","iss":"a\\u0000b"}'),
                           _b64url(b"x" * 64)])


@pytest.mark.parametrize(("headers", "body"), [
    ({"Authorization": "Basic " + base64.b64encode(b"a\x00b:c").decode()}, CLIENT_CREDENTIALS),
    ({"Authorization": "Basic " + base64.b64encode(b"a%00b:c").decode()}, CLIENT_CREDENTIALS),
    ({}, CLIENT_CREDENTIALS + f"&client_assertion_type={_ASSERTION_TYPE}&client_assertion={_NUL_ASSERTION}".encode()),
], ids=["basic", "basic-escaped", "assertion-sub"])
def test_a_nul_in_the_client_named_by_credentials_is_invalid_client(client, headers, body):
    """A client id with U+0000 that comes from the Basic header or an assertion's sub never
    passes the form's NUL check; looked up in PostgreSQL it was a DataError, a 500
    (`idp.oidc.client_auth.presented` must refuse it as an unknown client: 401 invalid_client)."""
    refused = same_answer(client.application, lambda: Sent("POST", "/token", dict(headers), body, FORM))
    assert refused.status.startswith("401") and _error(refused) == "invalid_client"


_ALPHABET = [b"grant_type", b"client_credentials", b"authorization_code", b"code", b"client_id", b"=", b"&", b";",
             b"%", b"%00", b"%ff", b"%zz", b"+", b"\xff", b"\xc3", b"\xe9", b"\x00", b" ", b"\r\n", b"scope",
             b"openid", b"resource", b"refresh_token", b"client_secret", b"client_assertion_type"]


def test_random_form_bodies_are_answered_alike(client, register):
    """A seeded walk over hostile fragments: every body answered the same on both paths."""
    import random

    agency = _agency(register)
    app = client.application
    pick = random.Random(16)
    for _ in range(150):
        body = b"".join(pick.choice(_ALPHABET) for _ in range(pick.randint(0, 12)))
        content_type = pick.choice([FORM, FORM + "; charset=utf-8", "text/plain", ""])
        _not_500(alike(app, lambda body=body, content_type=content_type: token_post(
            agency, body, content_type=content_type)))


def test_random_authorize_queries_are_answered_alike(client, register, citizen):
    """The agency's own request with hostile fragments appended (raw bytes as the server hands
    them over, in latin-1): the same answer with and without the direct route, never a 500."""
    import random

    agency = register()
    get_code(client, agency)
    app = client.application
    base = authorize_url(agency, FLOW_FOR_FUZZ).split("?", 1)[1]
    jar = cookie_of(client)
    fragments = ["&", "=", "client_id", "state", "nonce", "prompt", "none", "login", "max_age", "0", "%00", "%ff",
                 "\xff", "\xc3\xa9", "response_mode", "form_post", "fragment", "jwt", "scope", "openid", "+", ";",
                 "redirect_uri", "request", "request_uri", "claims", "{", "}", "ui_locales", "acr_values"]
    pick = random.Random(1616)
    for _ in range(60):
        query = base + "".join(pick.choice(fragments) for _ in range(pick.randint(1, 8)))
        _not_500(alike(app, lambda query=query: get("http://localhost/authorize?x", jar,
                                                    environ={"QUERY_STRING": query})))


FLOW_FOR_FUZZ = Flow()
