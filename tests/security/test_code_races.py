"""An authorization code is single-use under concurrency (`infra.store` `take_and_mark`: a Redis
script, or the in-process store under its lock): of many redemptions at the same moment exactly
one takes the code, every other one finds the replay mark and revokes what the code issued (RFC
6749 section 4.1.2), whichever finishes first."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from urllib.parse import urlencode

import requests

from idp.oidc import codes
from infra.store import get_store
from tests.idp.conftest import dui
from tests.security.agencies import at_once, register
from tests.support.live import Citizen

THREADS = 6
ROUNDS = 3


def _grant(grant_id: str) -> codes.CodeGrant:
    return codes.CodeGrant(grant_id=grant_id, client_id="c", redirect_uri="https://x/cb", code_challenge="x",
                           citizen_id=str(uuid.UUID(int=1)), scopes=["openid"], claims={}, nonce=None, sid="s",
                           auth_time=0, acr="a", amr=["pwd"], issued_at=0)


def test_one_code_redeemed_by_many_threads_is_taken_once_and_voided(fresh_app):
    store = get_store(fresh_app)
    for _ in range(ROUNDS):
        grant_id = str(uuid.uuid4())
        code = codes.issue(store, _grant(grant_id), ttl=60)
        results: list[codes.Redemption] = at_once(
            THREADS, lambda _i, code=code: codes.redeem(store, code, client_id="c", redirect_uri="https://x/cb",
                                                        challenge="x", replay_ttl=60))
        winners = [r for r in results if r.grant is not None]
        losers = [r for r in results if r.grant is None]
        assert len(results) == THREADS
        assert len(winners) == 1 and winners[0].grant.grant_id == grant_id
        assert [r.replayed_grant_id for r in losers] == [grant_id] * (THREADS - 1)
        # the winner's check after its commit sees it
        assert codes.settled(store, _grant(grant_id)) == codes.VOIDED


def test_one_code_presented_at_once_issues_once_and_its_tokens_are_revoked(live):
    agency = register(live)
    # Its own person: the live server is shared with test_races, whose citizen has the default ID.
    citizen = Citizen(live, national_id=dui(52013377), email="carla@example.sv")
    for _ in range(ROUNDS):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = {"response_type": "code", "client_id": agency.client_id, "redirect_uri": agency.redirect_uri,
                 "scope": "openid profile offline_access", "state": "s", "nonce": "n",
                 "code_challenge": challenge, "code_challenge_method": "S256"}
        code = citizen.authorize(live.url("/authorize?" + urlencode(query)), agency.redirect_uri)["code"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": agency.redirect_uri,
                "code_verifier": verifier}
        responses = at_once(THREADS, lambda _i, form=form: agency.token(form))
        assert all(isinstance(r, requests.Response) for r in responses), responses
        winners = [r for r in responses if r.status_code == 200]
        losers = [r for r in responses if r.status_code != 200]
        assert len(winners) <= 1, [r.text for r in winners]
        assert {r.status_code for r in losers} == {400}, [r.text for r in losers]
        assert {r.json()["error"] for r in losers} == {"invalid_grant"}
        for winner in winners:  # the replays revoked what the code issued
            issued = winner.json()
            again = agency.token({"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]})
            assert again.status_code == 400 and again.json()["error"] == "invalid_grant", again.text
            userinfo = requests.get(live.url("/userinfo"), timeout=30,
                                    headers={"Authorization": f"Bearer {issued['access_token']}"})
            assert userinfo.status_code == 401, userinfo.text
