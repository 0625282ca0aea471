"""The demo's sample civil register and its outbox page (`make run`): a visitor reaches level
substantial with the code shown there; the page exists only in a local demo."""

from __future__ import annotations

import re

import pytest

from infra.config import ConfigError
from tests.conftest import settings_for
from tests.idp.conftest import csrf, enrol


@pytest.fixture
def demo_app(backend, app, tmp_path):
    from idp import create_app
    from infra.db import get_db
    from infra.store import get_store
    from tests.conftest import empty_store, empty_tables

    if backend.name != "embedded":
        pytest.skip("the demo runs on the embedded default")
    empty_tables(app)
    demo = create_app(settings_for(backend, tmp_path, demo={"outbox_page": True}))
    demo.testing = True
    empty_store(demo)
    yield demo
    get_db(demo).dispose()
    get_store(demo).close()
    empty_tables(app)


def test_the_sample_register_loads(fresh_app):
    from idp.civil_register.demo import load_demo_register

    result = load_demo_register(fresh_app)
    assert (result.rows, result.inserted) == (4, 4)
    assert load_demo_register(fresh_app).inserted == 0  # every start: nothing changes


def test_substantial_is_reachable_in_the_demo(demo_app):
    from idp.assurance.services import proofing_of
    from idp.civil_register.demo import load_demo_register
    from infra.db import get_db

    load_demo_register(demo_app)
    client = demo_app.test_client()
    assert "Todavía no hay mensajes" in client.get("/demo/outbox").get_data(as_text=True)
    citizen = enrol(client, family_name="López Pérez", email="me@example.org")
    token = csrf(client, "/account/assurance")
    assert client.post("/account/assurance/code", data={"csrf_token": token, "channel": "email"}
                       ).status_code == 303
    page = client.get("/account/assurance?code=sent").get_data(as_text=True)
    assert 'href="/demo/outbox"' in page
    outbox = client.get("/demo/outbox").get_data(as_text=True)
    assert "ana.lopez@correo.example" in outbox
    code = re.search(r"(\d{4} \d{4})", outbox).group(1)
    response = client.post("/account/assurance/code/verify", data={"csrf_token": token, "code": code})
    assert response.headers["Location"] == "/account/assurance?code=verified"
    with get_db(demo_app).read() as session:
        assert proofing_of(session, citizen.citizen_id) == ("substantial", "register_channel")


def test_no_outbox_page_outside_the_demo(client):
    assert client.get("/demo/outbox").status_code == 404


def test_the_outbox_page_is_refused_for_a_public_issuer(backend, tmp_path):
    from idp import create_app

    overrides = settings_for(backend, tmp_path, demo={"outbox_page": True})
    overrides["server"]["issuer"] = "https://id.example.gov"
    with pytest.raises(ConfigError) as info:
        create_app(overrides)
    assert "allowed only for a localhost issuer" in str(info.value)


def test_cedula_demo_imports_the_register_and_turns_the_page_on(fresh_app, capsys):
    from idp.demo import _demo_register, _outbox_page

    assert _outbox_page(fresh_app) is True  # imported register, e-mail to the outbox
    _demo_register(fresh_app)
    assert "demo civil register: 4 people (4 new)" in capsys.readouterr().out
    _demo_register(fresh_app)  # a warm start says nothing of it
    assert capsys.readouterr().out == ""


def test_the_demo_register_is_loaded_before_the_provider_starts(fresh_app, monkeypatch):
    """operator7: `cedula serve` says at start when the imported register is empty; `cedula
    demo` loaded its sample only after starting the provider, which could then tell a new user
    of `make run` that the register was empty. The sample is there before the provider starts."""
    import subprocess

    from idp import demo
    from idp.civil_register.services import register_empty

    class Started(Exception):
        pass

    seen = []

    def provider(args, env):
        with fresh_app.app_context():
            seen.append((args[3], register_empty(fresh_app)))
        raise Started

    monkeypatch.setattr(subprocess, "Popen", provider)
    with pytest.raises(Started):
        demo.run_demo(fresh_app, host="127.0.0.1", port=8000)
    assert seen == [("serve", False)]
