"""The log's sealing keys are never in the database in plaintext: the log key's private half is
wrapped by custody (not a private key anyone can read), and the entries' MAC key (derived from
the server secret) is in no table at all, raw or hex."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from infra.db import get_db
from tests.idp.audit.conftest import checkpointed_bundle, fill


def test_no_sealing_key_is_stored_in_plaintext(oidc_app, audit_log):
    from cryptography.hazmat.primitives.serialization import load_der_private_key, load_pem_private_key

    from idp.audit.models import LogKey
    from keys.models import StoredKey

    fill(oidc_app, audit_log, 6)
    checkpointed_bundle(oidc_app, audit_log)
    engine = get_db(oidc_app).engine
    with get_db(oidc_app).read() as session:
        log_key = session.scalars(sa.select(LogKey)).one()
        stored = session.get(StoredKey, log_key.key_id)
        assert "d" not in log_key.jwk  # the public JWK only
        if stored.backend == "software":
            for load in (load_der_private_key, load_pem_private_key):
                with pytest.raises((ValueError, TypeError)):
                    load(stored.wrapped, password=None)
    secret = audit_log.entry_key
    needles = (secret, secret.hex().encode(), secret.hex().upper().encode())
    metadata = sa.MetaData()
    metadata.reflect(bind=engine)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                for value in row:
                    data = value if isinstance(value, bytes) else str(value).encode()
                    assert not any(needle in data for needle in needles), table.name
