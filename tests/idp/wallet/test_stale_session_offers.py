"""Adding a document to a wallet binds a credential about the citizen to a new holder key: the
wallet that holds it presents it, with its key binding, as the citizen's own. Like adding a
passkey, it belongs to whoever holds the account's passkeys now: a copied session cookie, a
browser left signed in, or a wallet sign-in handed to someone else's browser (docs/wallet.md)
must not put the citizen's documents in another person's wallet. So an offer (pre-authorized
code) and an authorization code for a wallet client need a passkey check at most
`account.reauth_seconds` old (idp.account.reauth), as every sensitive account action."""
# ruff: noqa: F811 - fixtures imported from the conftest and test_authorization are parameters here

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.idp.conftest import age_session, recheck
from tests.idp.wallet.test_authorization import CALLBACK, WALLET, _query, wallet_client  # noqa: F401
from tests.idp.wallet.test_wallet_session_account_actions import _is_recheck

STALE = 301  # seconds: just past the default account.reauth_seconds


def test_a_stale_session_makes_no_wallet_offer(web, birth, signed_in):
    enrolled, _ = signed_in
    path = f"/account/documents/{birth['id']}/wallet"
    age_session(web, STALE)
    page = web.get(path)
    assert page.status_code == 200  # what adding to a wallet means: readable
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    stale = web.post(path, data={"csrf_token": token})
    html = stale.get_data(as_text=True)
    assert _is_recheck(stale, path), html[:400]
    assert 'id="offer-tx-code"' not in html and "openid-credential-offer://" not in html

    assert recheck(web, enrolled.key).status_code == 200
    fresh = web.post(path, data={"csrf_token": token})
    assert fresh.status_code == 200 and 'id="offer-tx-code"' in fresh.get_data(as_text=True)


def test_a_stale_session_gives_a_wallet_client_no_code(web, birth, holder, wallet_client, signed_in):
    enrolled, _ = signed_in
    holder.discover("http://localhost")
    url, _verifier = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK,
                                              scope="birth_certificate")
    age_session(web, STALE)
    page = web.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    form = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
            "interaction": re.search(r'name="interaction" value="([^"]+)"', html).group(1),
            "decision": "allow"}
    stale = web.post("/wallet/authorize", data=form)
    assert _is_recheck(stale, "/wallet/authorize"), stale.get_data(as_text=True)[:400]
    assert f'value="{form["interaction"]}"' in stale.get_data(as_text=True)  # sent again after the check

    assert recheck(web, enrolled.key).status_code == 200
    done = web.post("/wallet/authorize", data=form)  # the re-check page's resubmission
    assert done.status_code == 303 and done.headers["Location"].startswith(CALLBACK + "?")
    assert "code" in _query(done.headers["Location"])


def test_a_stale_session_may_still_say_no(web, birth, holder, wallet_client, signed_in):
    holder.discover("http://localhost")
    url, _verifier = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK,
                                              scope="birth_certificate")
    age_session(web, STALE)
    html = web.get(urlsplit(url).path + "?" + urlsplit(url).query).get_data(as_text=True)
    denied = web.post("/wallet/authorize", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
        "interaction": re.search(r'name="interaction" value="([^"]+)"', html).group(1),
        "decision": "deny"})
    assert denied.status_code == 303 and _query(denied.headers["Location"])["error"] == "access_denied"
