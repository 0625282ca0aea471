"""The pieces /authorize builds once instead of per request: the same answers as before."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import redirect

from idp.oidc import interactions, views
from idp.oidc.funnel import funnel_counts
from idp.oidc.request import AuthorizationRequest
from infra.store import get_store


def _request() -> AuthorizationRequest:
    return AuthorizationRequest(client_id="agency", redirect_uri="https://agency.example/cb", state="s",
                                scopes=["openid"], code_challenge="c" * 43)


def test_an_interaction_gets_its_id_when_it_is_first_kept(oidc_app):
    store = get_store(oidc_app)
    begun = interactions.begin(_request())
    assert begun.id == ""  # answered at once: never stored, no id made
    kept = interactions.save(store, begun, ttl=60)
    assert len(kept.id) == 32
    assert interactions.load(store, kept.id) == kept
    again = interactions.update(store, kept, ttl=60, shown_to="sid")
    assert again.id == kept.id and interactions.load(store, kept.id) == again
    other = interactions.update(store, interactions.begin(_request()), ttl=60, account_chosen=True)
    assert other.id not in ("", kept.id) and interactions.load(store, other.id) == other


def test_the_redirect_to_the_client_is_flask_redirect_with_no_store(oidc_app):
    environ = {"wsgi.url_scheme": "https", "SERVER_NAME": "idp", "SERVER_PORT": "443", "REQUEST_METHOD": "GET"}
    with oidc_app.test_request_context("/authorize"):
        for target in ("https://agency.example/cb?code=abc&state=%22%3C&iss=https%3A%2F%2Fidp",
                       "https://Agéncia.example/c b?x=<'\">&y=é", "/login?next=/authorize/continue%3Fi%3Dx"):
            for code in (302, 303):
                expected = redirect(target, code=code)
                expected.headers["Cache-Control"] = "no-store"
                built = views._no_store_redirect(target, code=code)
                assert type(built) is type(expected) and built.status == expected.status
                assert built.get_data() == expected.get_data()
                assert list(built.headers) == list(expected.headers)
                assert list(built.get_wsgi_headers(environ)) == list(expected.get_wsgi_headers(environ))


def test_the_funnel_counts_are_built_once_a_day():
    day = int(datetime(2026, 12, 5, 23, 59, tzinfo=UTC).timestamp() // 86_400)
    first = funnel_counts("agency-x", ("authorize", "code"), day)
    assert [(c.day, c.agency, c.kind, c.dimension, c.by) for c in first] == [
        (date(2026, 12, 5), "agency-x", "funnel.authorization", "authorize", 1),
        (date(2026, 12, 5), "agency-x", "funnel.authorization", "code", 1)]
    assert funnel_counts("agency-x", ("authorize", "code"), day) is first
    after_midnight = funnel_counts("agency-x", ("authorize", "code"), day + 1)
    assert [c.day for c in after_midnight] == [date(2026, 12, 6)] * 2
    assert [c.dimension for c in funnel_counts("agency-x", ("authorize",), day + 1)] == ["authorize"]
