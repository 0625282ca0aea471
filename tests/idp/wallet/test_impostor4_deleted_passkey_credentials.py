"""Impostor review, round 4: a wallet credential the thief took with a lost phone's passkey (an
offer made in the phone's session, redeemed before the citizen noticed) stays in the thief's
wallet, bound to the thief's key. Deleting the phone's passkey must revoke it (its entry in the
status list turns invalid); a credential the citizen took with another passkey stays valid."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

from idp.wallet import status_list
from tests.idp.conftest import recheck
from tests.idp.wallet.conftest import new_offer
from tests.idp.wallet.test_removed_passkey_offers import _delete, _lost_phone
from tests.support.authenticator import SoftwareAuthenticator


def _status(web, held) -> int:
    reference = held.payload["status"]["status_list"]
    token = web.get(urlsplit(reference["uri"]).path).get_data(as_text=True)
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return status_list.decode_status(claims["status_list"]["lst"], reference["idx"])


def test_a_credential_taken_with_a_deleted_passkey_is_revoked(web, birth, holder, signed_in):
    enrolled, phone, thief = _lost_phone(web, signed_in)
    link, tx_code = new_offer(thief, birth["id"])
    stolen = holder.receive(link, tx_code)
    assert _status(web, stolen) == status_list.VALID
    _delete(web, enrolled, phone)
    assert _status(web, stolen) == status_list.INVALID


def test_a_credential_taken_with_a_passkey_still_held_stays_valid(web, birth, holder, signed_in):
    enrolled, phone, _ = _lost_phone(web, signed_in)
    assert recheck(web, enrolled.key).status_code == 200  # the citizen's own browser
    link, tx_code = new_offer(web, birth["id"])
    own = holder.receive(link, tx_code)
    _delete(web, enrolled, phone)
    assert _status(web, own) == status_list.VALID


def test_a_credential_a_clone_took_is_revoked_at_the_clone_signal(web, birth, holder, signed_in):
    from tests.idp.account.test_pages import add_passkey
    from tests.idp.conftest import sign_in

    genuine = SoftwareAuthenticator(counter_step=1)
    add_passkey(web, genuine)
    clone = SoftwareAuthenticator(credential_id=genuine.credential_id, private_key=genuine.private_key,
                                  user_handle=genuine.user_handle, sign_count=5, counter_step=1)
    thief = web.application.test_client()
    assert sign_in(thief, clone).status_code == 200  # count 6: the clone went first
    link, tx_code = new_offer(thief, birth["id"])
    taken = holder.receive(link, tx_code)
    refused = sign_in(web.application.test_client(), genuine)  # count 2: the clone signal
    assert refused.get_json()["error"] == "sign_count_regression"
    assert _status(web, taken) == status_list.INVALID
