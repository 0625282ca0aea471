"""Races against a live server with real threads: one refresh token presented many times at
the same moment, and one single-use initial access token spent many times at the same moment.

Issue 14: both used to succeed more than once on SQLite (a read, then a write of the value
read); now each is a compare-and-set (`UPDATE ... WHERE used_at IS NULL` / `uses_left > 0`)
that exactly one request wins, and refresh token reuse detection fires for the others.
"""

from __future__ import annotations

import requests

from tests.security.agencies import at_once, register
from tests.support.live import Citizen

ROUNDS = 4
THREADS = 6


def test_one_refresh_token_presented_at_once_rotates_once_and_revokes_the_grant(live):
    agency = register(live)
    citizen = Citizen(live)
    for _ in range(ROUNDS):
        issued = agency.tokens(citizen)
        form = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
        responses = at_once(THREADS, lambda _i, form=form: agency.token(form))
        assert all(isinstance(r, requests.Response) for r in responses), responses
        winners = [r for r in responses if r.status_code == 200]
        losers = [r for r in responses if r.status_code != 200]
        assert len(winners) == 1, [r.text for r in winners]
        assert {r.status_code for r in losers} == {400}
        assert {r.json()["error"] for r in losers} == {"invalid_grant"}
        # Reuse detection fired: the chain the winner received is dead too.
        again = agency.token({"grant_type": "refresh_token", "refresh_token": winners[0].json()["refresh_token"]})
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant", again.text
        userinfo = requests.get(live.url("/userinfo"), timeout=30,
                                headers={"Authorization": f"Bearer {winners[0].json()['access_token']}"})
        assert userinfo.status_code == 401 and userinfo.json()["error"] == "invalid_token"


def test_a_single_use_initial_access_token_registers_one_client_however_many_race(live):
    from clients.registry.services import issue_initial_token
    from infra.db import get_db

    body = {"client_name": "Portal", "redirect_uris": ["https://portal.example.gov/callback"]}
    for _ in range(ROUNDS):
        with get_db(live.app).transaction() as session:
            token = issue_initial_token(session, label="race", uses=1)
        responses = at_once(THREADS, lambda _i, token=token: requests.post(
            live.url("/register"), json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60))
        assert all(isinstance(r, requests.Response) for r in responses), responses
        created = [r for r in responses if r.status_code == 201]
        assert len(created) == 1, [r.json()["client_id"] for r in created]
        refused = [r for r in responses if r.status_code != 201]
        assert {r.status_code for r in refused} == {401}
        assert {r.json()["error"] for r in refused} == {"invalid_token"}


def test_one_registration_access_token_read_at_once_gives_one_next_token(live):
    """RFC 7592 section 3: each read answers with a new registration access token, which
    replaces the one presented (a compare-and-set on its hash): of requests racing with one
    token, exactly one gets the next token; the others are refused, and so is the old token."""
    from clients.registry.services import issue_initial_token
    from infra.db import get_db

    body = {"client_name": "Portal", "redirect_uris": ["https://portal.example.gov/callback"]}
    with get_db(live.app).transaction() as session:
        initial = issue_initial_token(session, label="race", uses=1)
    created = requests.post(live.url("/register"), json=body, headers={"Authorization": f"Bearer {initial}"},
                            timeout=60).json()
    path, token = live.url(f"/register/{created['client_id']}"), created["registration_access_token"]
    for _ in range(ROUNDS):
        responses = at_once(THREADS, lambda _i, token=token: requests.get(
            path, headers={"Authorization": f"Bearer {token}"}, timeout=60))
        assert all(isinstance(r, requests.Response) for r in responses), responses
        winners = [r for r in responses if r.status_code == 200]
        assert len(winners) == 1, [r.status_code for r in responses]
        refused = {(r.status_code, r.json()["error"]) for r in responses if r.status_code != 200}
        assert refused == {(401, "invalid_token")}
        assert requests.get(path, headers={"Authorization": f"Bearer {token}"}, timeout=60).status_code == 401
        token = winners[0].json()["registration_access_token"]
