"""The log's own key (issue 14): an insider with the database who rewrites history and
re-signs every checkpoint with a fresh key used to pass `cedula audit verify`; checkpoints
now count only when signed by a log key the key store vouches for, and consent receipts are
signed by that long-lived key, so they verify after any OIDC key rotation."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.jwk import ECKey

from idp.audit.chain import GENESIS, body_hash, link_hash
from idp.audit.log import CHECKPOINT_TYP, HEAD_ID, checkpoint_digest
from infra.db import get_db
from tests.idp.audit.conftest import checkpointed_bundle, fill, verify
from tests.support.cli import cedula as run


def fresh_key() -> ECKey:
    return ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))


def sign_as(key: ECKey, claims: dict, typ: str) -> str:
    header = {"alg": "ES256", "kid": key.thumbprint(), "typ": typ}
    return jws.serialize_compact(header, json.dumps(claims), key, algorithms=["ES256"])


def rewrite_and_resign(app, key: ECKey, *, seq: int = 3) -> None:
    """What an insider with the database does: alter an entry, recompute every hash after it
    and the chain head, and re-sign every checkpoint (with its chain of `prev` digests)."""
    from idp.audit.models import AuditEntry, ChainHead, Checkpoint

    with get_db(app).transaction() as session:
        rows = list(session.scalars(sa.select(AuditEntry).where(AuditEntry.seq.is_not(None))
                                    .order_by(AuditEntry.seq)))
        prev = GENESIS
        hashes = {}
        for row in rows:
            if row.seq == seq:
                row.client_id = "someone-else"
            row.prev_hash = prev
            row.hash = link_hash(seq=row.seq, prev=prev, body_digest=body_hash(row.body().to_json()))
            hashes[row.seq] = prev = row.hash
        head = session.get(ChainHead, HEAD_ID)
        head.hash = prev
        previous_jws = None
        public = dict(key.as_dict(private=False), kid=key.thumbprint())
        for checkpoint in session.scalars(sa.select(Checkpoint).order_by(Checkpoint.seq)):
            claims = json.loads(jws.extract_compact(checkpoint.jws.encode()).payload)
            claims["head_hash"] = checkpoint.head_hash = hashes[checkpoint.seq]
            claims["prev"] = checkpoint.prev = checkpoint_digest(previous_jws) if previous_jws else GENESIS
            checkpoint.jws = previous_jws = sign_as(key, claims, CHECKPOINT_TYP)
            checkpoint.kid, checkpoint.jwk = key.thumbprint(), public


def test_an_untouched_log_verifies_against_its_log_key(oidc_app, audit_log):
    fill(oidc_app, audit_log, 7)
    report = verify(oidc_app)
    assert report.ok and report.checkpoints == 2, report.problem
    from idp.audit.models import Checkpoint, LogKey

    with get_db(oidc_app).read() as session:
        log_kid = session.scalars(sa.select(LogKey.kid)).one()
        assert set(session.scalars(sa.select(Checkpoint.kid))) == {log_kid}
    oidc_kids = {k["kid"] for k in oidc_app.test_client().get("/jwks.json").get_json()["keys"]}
    assert log_kid not in oidc_kids  # never an OIDC key


def test_an_insider_who_re_signs_every_checkpoint_with_a_fresh_key_fails(oidc_app, audit_log):
    fill(oidc_app, audit_log, 12)
    rewrite_and_resign(oidc_app, fresh_key())
    report = verify(oidc_app)
    assert not report.ok
    assert report.problem.kind == "checkpoint" and report.problem.seq == 1
    assert "is signed by a key that is not one of the log's keys" in report.problem.message
    result = run(oidc_app, "audit", "verify")
    assert result.exit_code == 1 and "the log was re-signed by someone else" in result.output


def test_an_insider_cannot_publish_the_fresh_key_as_an_oidc_key_either(oidc_app, audit_log):
    """Adding the key to the OIDC key tables (it then appears in /jwks.json) does not help."""
    from keys import get_service
    from keys.models import SigningKey, StoredKey

    fill(oidc_app, audit_log, 6)
    key = fresh_key()
    rewrite_and_resign(oidc_app, key)
    spki = key.private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    now = datetime.now(UTC)
    with get_db(oidc_app).transaction() as session:
        session.add(StoredKey(id=uuid.uuid4().hex, purpose="oidc", algorithm="EC-P256", backend="software",
                              wrapped=b"\x01" + b"0" * 40, public_key=spki, created_at=now))
        session.flush()
        stored = session.scalars(sa.select(StoredKey).where(StoredKey.public_key == spki)).one()
        session.add(SigningKey(kid=key.thumbprint(), key_id=stored.id, alg="ES256", published_at=now,
                               active_at=now.replace(year=now.year + 5)))
    get_service(oidc_app).invalidate()
    assert key.thumbprint() in {k["kid"] for k in oidc_app.test_client().get("/jwks.json").get_json()["keys"]}
    assert "not one of the log's keys" in verify(oidc_app).problem.message


@pytest.mark.parametrize("how", ["append", "replace"])
def test_an_insider_cannot_add_a_key_to_the_log_key_history(oidc_app, audit_log, how):
    """A fresh key written into the history (self-endorsed, or endorsing itself as a new first
    key, with a custody row of its own) is refused: the key store does not hold it."""
    from idp.audit import LogKeyError, trusted_keys
    from idp.audit.log_key import ENDORSEMENT_TYP, PURPOSE, public
    from idp.audit.models import LogKey
    from keys.models import StoredKey

    fill(oidc_app, audit_log, 6)
    key = fresh_key()
    rewrite_and_resign(oidc_app, key)
    jwk = dict(key.as_dict(private=False), kid=key.thumbprint(), alg="ES256", use="sig")
    spki = key.private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    with get_db(oidc_app).transaction() as session:
        genuine = session.scalars(sa.select(LogKey).order_by(LogKey.seq)).all()
        if how == "replace":
            session.execute(sa.delete(LogKey))
        seq = 1 if how == "replace" else genuine[-1].seq + 1
        prev = None if how == "replace" else genuine[-1].kid
        endorsement = sign_as(key, {"seq": seq, "kid": key.thumbprint(), "jwk": public(jwk), "alg": "ES256",
                                    "prev": prev, "iat": 0}, ENDORSEMENT_TYP)
        key_id = uuid.uuid4().hex
        session.add(StoredKey(id=key_id, purpose=PURPOSE, algorithm="EC-P256", backend="software",
                              wrapped=b"\x01" + b"0" * 60, public_key=spki, created_at=datetime.now(UTC)))
        session.add(LogKey(seq=seq, kid=key.thumbprint(), alg="ES256", jwk=jwk, key_id=key_id,
                           created_at=datetime.now(UTC), endorsement=endorsement))
    with oidc_app.app_context(), pytest.raises(LogKeyError) as caught:
        trusted_keys(oidc_app)
    expected = "is not endorsed by the key before it" if how == "append" else "the key store cannot vouch for"
    assert expected in str(caught.value)
    result = run(oidc_app, "audit", "verify")
    assert result.exit_code == 1 and "the log's keys cannot be trusted" in result.output


def test_a_rotated_log_key_keeps_every_older_checkpoint_verifying(oidc_app, audit_log):
    fill(oidc_app, audit_log, 6)
    rotated = run(oidc_app, "audit", "log-key", "rotate")
    assert rotated.exit_code == 0 and rotated.output.startswith("log key 2 (")
    fill(oidc_app, audit_log, 6, start=6)
    report = verify(oidc_app)
    assert report.ok and report.checkpoints == 3, report.problem
    from idp.audit.models import Checkpoint

    with get_db(oidc_app).read() as session:
        assert len(set(session.scalars(sa.select(Checkpoint.kid)))) == 2
    shown = run(oidc_app, "audit", "log-key", "show")
    assert shown.exit_code == 0 and shown.stdout.count("\tproven") == 2


def test_a_kept_copy_of_the_log_keys_verifies_a_downloaded_log(oidc_app, audit_log, tmp_path):
    from idp import audit

    fill(oidc_app, audit_log, 4)
    bundle = checkpointed_bundle(oidc_app, audit_log)
    kept = tmp_path / "log-keys.json"
    kept.write_text(oidc_app.test_client().get("/audit/log-keys.json").get_data(as_text=True))
    (tmp_path / "log.json").write_text(json.dumps(bundle))
    ok = run(oidc_app, "audit", "verify", "--file", str(tmp_path / "log.json"), "--keys", str(kept))
    assert ok.exit_code == 0 and ok.output.strip() == "ok: 2 entries proven against signed checkpoints"
    rewrite_and_resign(oidc_app, fresh_key(), seq=1)
    with oidc_app.app_context(), get_db(oidc_app).read() as session:
        forged = audit.citizen_bundle(session, citizen_id="c1", issuer="http://localhost")
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    refused = run(oidc_app, "audit", "verify", "--file", str(tmp_path / "forged.json"), "--keys", str(kept))
    assert refused.exit_code == 1 and "is signed by a key that is not one of the log's keys" in refused.output


def test_consent_receipts_verify_after_every_oidc_key_is_rotated_out(client, register):
    """Receipts are signed by the log key: the OIDC keys of the day can all be gone."""
    from datetime import timedelta

    from idp.consent.models import Consent
    from idp.consent.receipts import verify_receipt
    from keys import get_service
    from tests.idp.conftest import enrol
    from tests.idp.oidc.conftest import tokens_for

    enrol(client)
    tokens_for(client, register())
    with get_db(client.application).read() as session:
        receipt = session.scalars(sa.select(Consent.receipt)).one()
    service = get_service(client.application)
    before = {k["kid"] for k in client.get("/jwks.json").get_json()["keys"]}
    later = service.now() + timedelta(days=400)
    service.keyring.rotate(later)
    service.keyring.prune(later + timedelta(days=30))
    assert not before & {k["kid"] for k in client.get("/jwks.json").get_json()["keys"]}
    keys = {k["kid"]: k for k in client.get("/audit/log-keys.json").get_json()["keys"]}
    claims = verify_receipt(receipt, keys)
    assert claims["consent_status"] == "active" and claims["schema_version"] == "ISO/IEC TS 27560:2023"
    with pytest.raises(ValueError, match="not one of the log's keys"):
        verify_receipt(sign_as(fresh_key(), claims, "consent-receipt+jwt"), keys)
