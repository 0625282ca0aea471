"""Pairwise subjects (OIDC Core 1.0 section 8, issue 14): clients on loopback are each a sector
of their own, a client's sector is fixed at its first grant (an RFC 7592 update cannot move it
and re-key every citizen), and an operator moves it with a map from old to new subjects."""

from __future__ import annotations

import csv
import json

from idp.oidc import provider
from tests.idp.oidc.conftest import Agency, claims_of, tokens_for
from tests.support.cli import cedula


def sub_for(client, agency: Agency) -> str:
    return claims_of(tokens_for(client, agency)["id_token"])["sub"]


def test_loopback_clients_do_not_share_a_sector(client, register, citizen):
    """The demo's two agencies (localhost:8001 and :8002) used to receive the same `sub`."""
    registry = register(client_name="Registro Civil", redirect_uris=["http://localhost:8001/callback"])
    tax = register(client_name="Hacienda", redirect_uris=["http://localhost:8002/callback"])
    native = register(client_name="App", application_type="native", redirect_uris=["http://127.0.0.1/callback"])
    subs = {sub_for(client, registry), sub_for(client, tax), sub_for(client, native)}
    assert len(subs) == 3


def test_a_private_use_redirect_uri_naming_a_host_does_not_join_that_hosts_sector(client, register, citizen):
    """OIDC Core 8.1: the sector is the host of the redirect URI, which a web client proves by
    receiving the code there. The "host" of a native app's private-use URI proves nothing (any
    app can claim com.attacker.app://portal.example.gov/cb, and the code comes back to it): such
    a client got the agency's pairwise `sub` of every citizen who signed in to it."""
    agency = register(client_name="Portal", redirect_uris=["https://portal.example.gov/cb"])
    app = register(client_name="App", application_type="native", token_endpoint_auth_method="none",
                   redirect_uris=["com.attacker.app://portal.example.gov/cb"])
    assert sub_for(client, app) != sub_for(client, agency)
    # Behind an https URI of the agency's host, which the app never uses.
    behind = register(client_name="App", application_type="native", token_endpoint_auth_method="none",
                      redirect_uris=["https://portal.example.gov/cb", "com.attacker.app://portal.example.gov/cb"])
    behind.redirect_uri = "com.attacker.app://portal.example.gov/cb"
    assert sub_for(client, behind) != sub_for(client, agency)


def test_clients_of_one_public_host_share_its_sector(client, register, citizen):
    one = register(client_name="Portal", redirect_uris=["https://portal.example.gov/a"])
    two = register(client_name="Portal móvil", redirect_uris=["https://portal.example.gov/b"])
    assert sub_for(client, one) == sub_for(client, two)


def dynamic_client(client, app, redirect: str) -> tuple[Agency, dict[str, str], dict]:
    from clients.registry.services import issue_initial_token
    from infra.db import get_db

    with get_db(app).transaction() as session:
        token = issue_initial_token(session, uses=1)
    body = {"client_name": "Portal", "redirect_uris": [redirect]}
    created = client.post("/register", json=body, headers={"Authorization": f"Bearer {token}"}).get_json()
    agency = Agency(created["client_id"], created["client_secret"], redirect, metadata=created)
    return agency, {"Authorization": f"Bearer {created['registration_access_token']}"}, body


def test_an_update_cannot_move_a_client_to_another_sector_after_its_first_grant(client, oidc_app, citizen):
    """A self-registered client's sector fixed at a host (before such a client was a sector
    of its own: tests/security/test_sec7_sector_of_another_agency) stays on it."""
    from clients.registry import Client
    from infra.db import get_db

    agency, management, body = dynamic_client(client, oidc_app, "https://portal.example.gov/cb")
    path = f"/register/{agency.client_id}"
    # Before any citizen signed in, the client may still change its mind.
    early = client.put(path, json={**body, "redirect_uris": ["https://www.portal.example.gov/cb"]}, headers=management)
    assert early.status_code == 200, early.get_json()
    management = {"Authorization": f"Bearer {early.get_json()['registration_access_token']}"}
    agency.redirect_uri = "https://www.portal.example.gov/cb"
    with get_db(oidc_app).transaction() as session:  # fixed at the host, as the first grant once did
        session.query(Client).filter_by(client_id=agency.client_id).update({"sector": "www.portal.example.gov"})
    before = sub_for(client, agency)
    moved = client.put(path, json={**body, "redirect_uris": ["https://other.example.gov/cb"]}, headers=management)
    assert moved.status_code == 400
    assert moved.get_json() == {
        "error": "invalid_redirect_uri",
        "error_description": "redirect_uris: would move the client's pairwise subjects from sector "
                             f"'www.portal.example.gov' to '{agency.client_id}'; the sector is fixed since the "
                             "client's first sign-in so that citizens keep their identifiers. Keep the first "
                             "redirect URI (or the sector_identifier_uri) on www.portal.example.gov, or ask an "
                             "operator to move the client (cedula clients move-sector)"}
    # Another path on the same host is fine, and the citizen keeps the same identifier.
    kept = client.put(path, json={**body, "redirect_uris": ["https://www.portal.example.gov/new"]}, headers=management)
    assert kept.status_code == 200
    agency.redirect_uri = "https://www.portal.example.gov/new"
    assert sub_for(client, agency) == before


def test_a_self_registered_client_keeps_its_own_sector_on_another_host(client, oidc_app, citizen):
    """Without a sector_identifier_uri, a client registered without an operator is a sector of
    its own: moving its redirect URIs to another host changes no citizen's identifier."""
    agency, management, body = dynamic_client(client, oidc_app, "https://portal.example.gov/cb")
    before = sub_for(client, agency)
    moved = client.put(f"/register/{agency.client_id}", json={**body, "redirect_uris": ["https://other.example.gov/cb"]},
                       headers=management)
    assert moved.status_code == 200, moved.get_json()
    agency.redirect_uri = "https://other.example.gov/cb"
    assert sub_for(client, agency) == before


def test_an_operator_moves_a_sector_with_a_map_of_old_to_new_subjects(client, oidc_app, register, citizen, tmp_path):

    agency = register(redirect_uris=["https://portal.example.gov/cb"])
    old = sub_for(client, agency)
    target = tmp_path / "map.csv"
    moved = cedula(oidc_app, "clients", "move-sector", agency.client_id, "--to", "portal.example.org",
                   "--map", str(target))
    assert moved.exit_code == 0, moved.output
    assert "moved from sector 'portal.example.gov' to 'portal.example.org'; 1 subjects mapped" in moved.output
    rows = list(csv.reader(target.open()))
    assert rows[0] == ["old_sub", "new_sub"] and rows[1][0] == old
    provider(oidc_app).clients.clear()
    assert sub_for(client, agency) == rows[1][1] != old
    again = cedula(oidc_app, "clients", "move-sector", agency.client_id, "--to", "portal.example.org",
                   "--map", str(tmp_path / "again.csv"))
    assert again.exit_code == 1 and "already in sector 'portal.example.org'" in again.output
    shown = json.loads(cedula(oidc_app, "clients", "show", agency.client_id).output)
    assert shown["operator"] == {"pairwise_sector": "portal.example.org", "sector_fixed": True,
                                 "assertion_audience": "strict", "backchannel_approved_uri": None}


def test_the_code_exchange_records_the_subject_it_gives_out(client, oidc_app, register, citizen):
    """The subject index row is written by the code exchange itself (one home: idp.oidc.subjects),
    in the grant's transaction: no ORM hook installed by another package does it."""
    import sqlalchemy as sa

    from idp.oidc.models import Grant, SubjectIndex
    from infra.db import get_db

    assert not list(sa.inspect(Grant).dispatch.after_insert)  # no mapper hook writes it
    agency = register(client_name="Portal", redirect_uris=["https://portal.example.gov/cb"])
    sub = sub_for(client, agency)
    with get_db(oidc_app).read() as session:
        rows = session.execute(sa.select(SubjectIndex.sector, SubjectIndex.citizen_id)
                               .where(SubjectIndex.subject == sub)).all()
    assert [(sector, str(citizen_id)) for sector, citizen_id in rows] == [("portal.example.gov", citizen.citizen_id)]


def test_a_kept_pairwise_subject_is_the_hmac_of_its_own_key_sector_and_citizen():
    """`subjects.pairwise` keeps what it computed per (key, sector, citizen): the same value
    as the HMAC itself, and never another key's (OIDC Core 1.0 section 8.1)."""
    import hashlib
    import hmac

    from idp.oidc import subjects
    from infra.jose import b64url

    def expected(key: bytes, sector: str, citizen: str) -> str:
        return b64url(hmac.new(key, sector.lower().encode() + b"\x00" + citizen.encode(), hashlib.sha256).digest())

    citizen = "0b9e6c1e-6f53-4f7e-9d7c-3a1d8f5f2b10"
    for _twice in range(2):
        for key in (b"k" * 32, b"j" * 32):
            for sector in ("Agency.example", "agency.example", "other.example"):
                assert subjects.pairwise(key=key, sector=sector, citizen_id=citizen) == expected(key, sector, citizen)
    assert subjects.pairwise(key=b"k" * 32, sector="a.example", citizen_id=citizen) != subjects.pairwise(
        key=b"j" * 32, sector="a.example", citizen_id=citizen)
