"""Hostile downloaded logs: `verify_bundle` (and `cedula audit verify --file`) must refuse a
document whose entries are not what the chain proves, and say so rather than crash."""

from __future__ import annotations

import json

import pytest

from tests.idp.audit.conftest import checkpointed_bundle, fill


@pytest.fixture
def bundle_and_keys(oidc_app, audit_log):
    from idp import audit

    fill(oidc_app, audit_log, 13)
    bundle = checkpointed_bundle(oidc_app, audit_log)
    with oidc_app.app_context():
        trusted = audit.trusted_keys(oidc_app)
    return bundle, trusted


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
