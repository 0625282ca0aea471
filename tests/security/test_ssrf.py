"""Server-side request forgery through client metadata (issue 14), through the product's own
features: dynamic registration (sector_identifier_uri), client authentication (jwks_uri) and
back-channel logout deliveries (backchannel_logout_uri).

`deployed` turns the test app into what an operator runs (an https issuer: public addresses
only, https only); without it the app is the demo (a loopback issuer, where agencies on this
machine are allowed). Every test checks the attacker learns nothing from the answers and that
nothing was sent where it must not go.
"""

from __future__ import annotations

import logging
import socket
import threading

import pytest

from infra.outbound import OutboundPolicy, get_outbound
from tests.idp.conftest import post_json
from tests.idp.oidc.conftest import REDIRECT, tokens_for
from tests.support import peers
from tests.support.ports import refused_port

SECTOR_ERROR = ("sector_identifier_uri: could not be fetched: it must be a public https URL that answers 200 "
                "with a JSON array of redirect URIs (at most 64 KiB) within a few seconds")
UNREACHABLE = ("the client's jwks_uri could not be fetched: it must be a public https URL that answers with "
               "its JWK Set (JSON, at most 64 KiB) within a few seconds")
PRIVATE_NAMES = {"jwks.agency.test": ["10.20.30.40"], "metadata.agency.test": ["169.254.169.254"],
                 "mapped.agency.test": ["::ffff:127.0.0.1"], "mixed.agency.test": ["8.8.8.8", "192.168.1.9"],
                 "logout.agency.test": ["127.0.0.1"]}


@pytest.fixture
def deployed(oidc_app, monkeypatch):
    """An operator's deployment: https only, public addresses only; made-up names resolve to
    the private addresses of PRIVATE_NAMES (no real DNS is asked)."""
    outbound = get_outbound(oidc_app)
    monkeypatch.setattr(outbound, "policy", OutboundPolicy(allow_loopback=False, total_seconds=2))
    monkeypatch.setattr(outbound, "resolver", peers.resolver(PRIVATE_NAMES))
    return outbound


@pytest.fixture
def closed_port() -> int:
    return refused_port()


def initial_token(app) -> str:
    from clients.registry.services import issue_initial_token
    from infra.db import get_db

    with get_db(app).transaction() as session:
        return issue_initial_token(session, uses=50)


def register_with_sector(client, token: str, uri: str):
    body = {"client_name": "Portal", "redirect_uris": ["https://a.portal.gov/cb", "https://b.portal.gov/cb"],
            "sector_identifier_uri": uri}
    return post_json(client, "/register", body, headers={"Authorization": f"Bearer {token}"})


def test_registration_answers_never_tell_an_open_port_from_a_closed_one(client, oidc_app, closed_port,
                                                                        monkeypatch):
    """The demo allows loopback: the fetch is made, and whatever happens the answer is the same
    (a closed port, a service that is not HTTPS, an error page, a peer that says nothing)."""
    monkeypatch.setattr(get_outbound(oidc_app), "policy", OutboundPolicy(allow_loopback=True, total_seconds=1))
    token = initial_token(oidc_app)
    release = threading.Event()
    with peers.serve(peers.answer(200, b"SSH-2.0-OpenSSH_9.6\r\n")) as ssh, \
            peers.serve(peers.hold(release)) as silent, peers.serve(peers.answer(404)) as web:
        answers = [register_with_sector(client, token, url) for url in (
            f"https://127.0.0.1:{closed_port}/", ssh.url(scheme="https"), web.url("/uris.json", scheme="https"),
            silent.url(scheme="https"), f"https://localhost:{closed_port}/uris.json")]
        release.set()
    assert {r.status_code for r in answers} == {400}
    assert {r.get_json()["error_description"] for r in answers} == {SECTOR_ERROR}


@pytest.mark.parametrize("uri", ["https://127.0.0.1:{port}/uris.json", "https://[::1]:{port}/",
                                 "https://10.0.0.8/uris.json", "https://[::ffff:a9fe:a9fe]/",
                                 "https://0x7f.1:{port}/", "https://2130706433:{port}/"])
def test_a_deployment_never_fetches_a_sector_uri_on_a_private_address(client, oidc_app, deployed, uri):
    token = initial_token(oidc_app)
    with peers.serve(peers.json_answer('["https://a.portal.gov/cb", "https://b.portal.gov/cb"]')) as peer:
        answer = register_with_sector(client, token, uri.format(port=peer.port))
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_client_metadata"
    assert answer.get_json()["error_description"] == (
        "sector_identifier_uri: must be an https URL on a public host (the provider calls it; private, "
        "loopback and link-local addresses are refused)")
    assert peer.connections == 0


@pytest.mark.parametrize("name", sorted(PRIVATE_NAMES))
def test_a_sector_uri_whose_name_resolves_to_a_private_address_is_not_fetched(client, oidc_app, deployed, name,
                                                                              caplog):
    token = initial_token(oidc_app)
    with caplog.at_level(logging.INFO, logger="infra.outbound"):
        answer = register_with_sector(client, token, f"https://{name}/uris.json")
    assert answer.status_code == 400 and answer.get_json()["error_description"] == SECTOR_ERROR
    assert [r.reason for r in caplog.records if hasattr(r, "reason")] == ["address"]


def jwt_client(register, uri: str):
    from cryptography.hazmat.primitives.asymmetric import ec
    from joserfc.jwk import ECKey

    agency = register(token_endpoint_auth_method="private_key_jwt", jwks_uri=uri)
    agency.key = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    return agency


def authenticate(client, agency):
    form, headers = agency.auth({"grant_type": "authorization_code", "code": "x"})
    return client.post("/token", data=form, headers=headers)


@pytest.mark.parametrize("name", sorted(PRIVATE_NAMES))
def test_jwks_uri_names_resolving_to_private_addresses_are_not_fetched(client, register, deployed, name,
                                                                       monkeypatch):
    def no_connect(*_args, **_kwargs):
        raise AssertionError("connected to a private address")

    agency = jwt_client(register, f"https://{name}/jwks.json")
    monkeypatch.setattr(socket, "create_connection", no_connect)
    answer = authenticate(client, agency)
    assert answer.status_code == 401
    assert answer.get_json() == {"error": "invalid_client", "error_description": UNREACHABLE}


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/iam", "http://10.0.0.1:6379/",
                                    "http://[::ffff:10.0.0.1]/", "http://0177.0.0.1/", "file:///etc/passwd"])
def test_a_jwks_uri_redirecting_to_a_private_address_is_not_followed_there(client, register, target):
    with peers.serve(peers.redirect(target)) as peer:
        answer = authenticate(client, jwt_client(register, peer.url("/jwks.json")))
    assert answer.status_code == 401
    assert answer.get_json() == {"error": "invalid_client", "error_description": UNREACHABLE}
    assert peer.connections == 1


def test_an_oversized_or_trickling_jwks_uri_costs_one_bounded_fetch(client, register):
    release = threading.Event()

    def oversized(connection: peers.Connection) -> None:
        connection.request()
        connection.send(b"HTTP/1.1 200 OK\r\nContent-Length: 900000000\r\n\r\n{\"keys\": [")
        release.wait(30)

    slow = peers.trickle(b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 2000, every=0.01)
    with peers.serve(oversized) as big, peers.serve(slow) as loris:
        for peer in (big, loris):
            answer = authenticate(client, jwt_client(register, peer.url("/jwks.json")))
            assert answer.status_code == 401
            assert answer.get_json()["error_description"] == UNREACHABLE
        release.set()
        assert loris.finished.wait(60)  # a cap; it ends as soon as the peer notices the client left
    assert loris.abandoned.is_set()  # cut off by the budget, long before the peer was done


@pytest.mark.parametrize("uri", ["https://10.1.2.3/bc", "https://[::1]/bc", "https://169.254.169.254/bc",
                                 "http://public.portal.gov/bc"])
def test_registration_refuses_backchannel_and_jwks_uris_on_private_addresses(oidc_app, deployed, uri):
    from clients.registry import ClientMetadataError, Permissions
    from clients.registry.services import register_client
    from infra.db import get_db

    for field, extra in (("backchannel_logout_uri", {}),
                         ("jwks_uri", {"token_endpoint_auth_method": "private_key_jwt"})):
        with oidc_app.app_context(), get_db(oidc_app).transaction() as session, \
                pytest.raises(ClientMetadataError) as caught:
            register_client(session, metadata={"client_name": "P", "redirect_uris": [REDIRECT], field: uri,
                                               **extra},
                            permissions=Permissions(operator=True), fetch_sector=lambda u: [REDIRECT])
        assert caught.value.field == field


def test_back_channel_deliveries_go_only_to_public_addresses(client, oidc_app, register, citizen, monkeypatch):
    """A client registered (on the demo) with a loopback back-channel URI, in a deployment that
    is not on loopback: the delivery is refused before any connection; so is a name that
    resolves to a private address."""
    from idp.logout import get_logout

    received = threading.Event()

    def receiver(connection: peers.Connection) -> None:
        connection.request()
        received.set()
        connection.send(peers.response(200))

    with peers.serve(receiver) as peer:
        literal = register(redirect_uris=[peer.url("/cb")], backchannel_logout_uri=peer.url("/bc"))
        named = register(redirect_uris=[f"https://logout.agency.test:{peer.port}/cb"],
                         backchannel_logout_uri=f"https://logout.agency.test:{peer.port}/bc")
        tokens_for(client, literal)
        tokens_for(client, named)
        outbound = get_outbound(oidc_app)
        monkeypatch.setattr(outbound, "policy", OutboundPolicy(allow_loopback=False, total_seconds=2))
        monkeypatch.setattr(outbound, "resolver", peers.resolver(PRIVATE_NAMES))
        worker = get_logout(oidc_app).worker
        worker.stop()
        from tests.idp.logout.test_backchannel import sign_out

        sign_out(client)
        tally = worker.run_once()
    assert tally.get("delivered", 0) == 0 and tally.get("retry") == 2, tally
    assert peer.connections == 0 and not received.is_set()


@pytest.mark.parametrize(("final", "accepted"), [
    ("https://attacker.example/uris.json", False),  # an open redirect on the agency's site
    ("https://SECTOR.portal.gov/moved/uris.json", True),  # a redirect on the same host
    ("https://sector.portal.gov/uris.json", True),
])
def test_a_sector_list_counts_only_when_its_host_answered_it(client, oidc_app, monkeypatch, final, accepted):
    """OIDC Core 8.1: the sector_identifier_uri's host becomes the client's sector; its answer
    is the host's word that the redirect URIs are its own. Followed to another host (an open
    redirect on the agency's site), the list came from whoever wrote it there, and the client
    joined the agency's sector: the agency's pairwise `sub` of every citizen."""
    from infra.outbound import OutboundResponse

    def fetched(url, **_options):
        assert url == "https://sector.portal.gov/uris.json"
        return OutboundResponse(status=200, headers={}, url=final,
                                body=b'["https://a.portal.gov/cb", "https://b.portal.gov/cb"]')

    monkeypatch.setattr(get_outbound(oidc_app), "get", fetched)
    answer = register_with_sector(client, initial_token(oidc_app), "https://sector.portal.gov/uris.json")
    if accepted:
        assert answer.status_code == 201, answer.get_json()
    else:
        assert answer.status_code == 400 and answer.get_json()["error_description"] == SECTOR_ERROR
