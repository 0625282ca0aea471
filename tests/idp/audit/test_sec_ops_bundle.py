"""Hostile downloaded logs: `verify_bundle` (and `cedula audit verify --file`) must refuse a
document whose entries are not what the chain proves, and say so rather than crash."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.idp.audit.conftest import checkpointed_bundle, fill


@pytest.fixture
def bundle_and_keys(oidc_app, audit_log):
    from idp import audit

    fill(oidc_app, audit_log, 13)
    bundle = checkpointed_bundle(oidc_app, audit_log)
    with oidc_app.app_context():
        trusted = audit.trusted_keys(oidc_app)
    return bundle, trusted


def test_a_forged_copy_of_an_entry_beside_the_genuine_one_is_refused(bundle_and_keys):
    """Attack: a second entry with the same seq and made-up content, placed before the genuine
    one; the check kept only the last entry of each seq and passed the forged one."""
    from idp import audit

    bundle, trusted = bundle_and_keys
    document = json.loads(json.dumps(bundle))
    forged = json.loads(json.dumps(document["entries"][2]))  # entry 5
    forged["body"]["agency"] = "tax-office"
    forged["body"]["claims"] = ["national_id", "address", "income"]
    document["entries"].insert(0, forged)
    with pytest.raises(audit.AuditError, match="entry 5 appears twice"):
        audit.verify_bundle(document, trusted=trusted)


def test_another_citizens_entry_is_not_proven_as_this_citizens(oidc_app, bundle_and_keys):
    """Attack: a genuine entry of someone else (c2's entry 2) added to c1's log; it checks
    against the chain, and was counted as one of c1's releases."""
    from idp import audit
    from idp.audit.export import entry_json
    from idp.audit.models import AuditEntry
    from infra.db import get_db

    bundle, trusted = bundle_and_keys
    document = json.loads(json.dumps(bundle))
    with oidc_app.app_context(), get_db(oidc_app).read() as session:
        other = session.scalars(sa.select(AuditEntry).where(AuditEntry.seq == 2)).one()
        document["entries"].insert(1, json.loads(json.dumps(entry_json(other))))
    assert document["entries"][1]["body"]["citizen"] == "c2"
    with pytest.raises(audit.AuditError, match="entry 2 is not about this citizen"):
        audit.verify_bundle(document, trusted=trusted)


@pytest.mark.parametrize("damage", [
    lambda d: d["segments"][0].pop("after"),
    lambda d: d["segments"][1]["digests"].__setitem__(0, "not a pair"),
    lambda d: d["segments"][1]["digests"].__setitem__(0, None),
    lambda d: d["entries"][1].pop("body"),
    lambda d: d["entries"][1].__setitem__("body", []),
    lambda d: d["segments"].__setitem__(0, "x"),
    lambda d: d.__setitem__("not_yet_checkpointed", 5),
])
def test_a_malformed_document_is_refused_with_a_reason_not_a_crash(bundle_and_keys, damage):
    """Attack: a hand-edited file; KeyError or TypeError escaped `cedula audit verify --file`
    as a traceback instead of "the log does not check out: ..."."""
    from idp import audit

    bundle, trusted = bundle_and_keys
    document = json.loads(json.dumps(bundle))
    damage(document)
    with pytest.raises(audit.AuditError):
        audit.verify_bundle(document, trusted=trusted)
