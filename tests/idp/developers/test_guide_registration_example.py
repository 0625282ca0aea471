"""The guide's self-registration, sent as written: its `curl` to `POST /register` with the JSON
example as the body, then `GET /register/{client_id}` with the registration access token."""

from __future__ import annotations

import json
import re
import shlex

from clients.registry.services import issue_initial_token
from idp.developers.views import SOURCE
from infra.db import get_db


def _curl() -> list[str]:
    text = SOURCE.read_text(encoding="utf-8")
    return shlex.split(re.search(r"`(curl -s -X POST https://cedula\.example\.gob/register [^`]+)`", text).group(1))


def _example() -> dict:
    text = SOURCE.read_text(encoding="utf-8")
    return json.loads(next(block for block in re.findall(r"```json\n(.*?)```", text, re.S)
                           if '"purpose#en"' in block))


def test_the_guides_registration_request_registers_the_portal(client, fresh_app):
    words = _curl()
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    assert words[words.index("-d") + 1] == "@registro.json"
    with get_db(fresh_app).transaction() as session:
        token = issue_initial_token(session, uses=1)
    headers["Authorization"] = headers["Authorization"].replace("$INITIAL_ACCESS_TOKEN", token)
    created = client.post("/register", data=json.dumps(_example()), headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    for field, value in _example().items():
        assert body[field] == value, field
    read = client.get(f"/register/{body['client_id']}",
                      headers={"Authorization": f"Bearer {body['registration_access_token']}"})
    assert read.status_code == 200, read.get_json()
    assert read.get_json()["purpose#en"] == "Issue your birth certificate"
