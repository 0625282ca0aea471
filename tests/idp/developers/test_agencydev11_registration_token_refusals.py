"""What a portal's developer is told when `/register` refuses a token. An initial access token
that was mistyped, expired or used up was answered "the initial access token is not valid" or
"... has expired or been used up": nothing said where a new one comes from. A registration access
token already replaced (each GET and successful PUT answers with a new one, RFC 7592 section 3:
a developer who read the registration once, then sent a PUT with the token of the registration
answer, as this review's own probe did) was "The registration access token is not valid for
this client.": nothing said that it was replaced nor which one to send. Each now says what to do."""

from __future__ import annotations

from clients.registry.services import issue_initial_token
from infra.db import get_db

METADATA = {"client_name": "Portal", "redirect_uris": ["https://portal.example.gob/callback"]}


def _initial(fresh_app, **options) -> dict[str, str]:
    with get_db(fresh_app).transaction() as session:
        return {"Authorization": "Bearer " + issue_initial_token(session, **options)}


def _refusal(answer) -> str:
    assert answer.status_code == 401, answer.get_data(as_text=True)
    assert answer.get_json()["error"] == "invalid_token"
    return answer.get_json()["error_description"]


def test_an_unknown_initial_access_token_says_where_a_new_one_comes_from(client, fresh_app):
    described = _refusal(client.post("/register", json=METADATA, headers={"Authorization": "Bearer mistyped"}))
    assert described.startswith("the initial access token is not valid")
    assert "cedula clients initial-token" in described


def test_a_used_up_initial_access_token_says_where_a_new_one_comes_from(client, fresh_app):
    headers = _initial(fresh_app, uses=1)
    assert client.post("/register", json=METADATA, headers=headers).status_code == 201
    described = _refusal(client.post("/register", json=METADATA, headers=headers))
    assert described.startswith("the initial access token has expired or been used up")
    assert "cedula clients initial-token" in described


def test_a_replaced_registration_access_token_says_to_send_the_latest(client, fresh_app):
    created = client.post("/register", json=METADATA, headers=_initial(fresh_app, uses=1)).get_json()
    path, first = f"/register/{created['client_id']}", created["registration_access_token"]
    assert client.get(path, headers={"Authorization": f"Bearer {first}"}).status_code == 200
    described = _refusal(client.put(path, json={**METADATA, "client_id": created["client_id"]},
                                    headers={"Authorization": f"Bearer {first}"}))
    assert described.startswith("The registration access token is not valid for this client")
    assert "registration_access_token of the last answer" in described
    assert "RFC 7592 section 3" in described
