"""A hostile file's refusal is the expected answer, not a failure of the service: it is logged
at INFO or WARNING without a traceback, never as "verification failed unexpectedly" (an
ERROR-like line with a traceback would page the operator for every forged upload)."""

from __future__ import annotations

import logging

import pytest

from signing.verify.errors import UnreadableDocument
from tests.signing.verify import forgeries
from tests.signing.verify.test_attack_incremental_saving import prev_skipping_the_signature
from tests.signing.verify.test_attack_wrapping import revision_in_the_gap

HOSTILE = [revision_in_the_gap, prev_skipping_the_signature, forgeries.cyclic_field_tree]


@pytest.mark.parametrize("attack", HOSTILE, ids=[a.__name__ for a in HOSTILE])
def test_a_refused_hostile_file_is_logged_as_a_refusal(verifier, signed, attack, caplog):
    caplog.set_level(logging.DEBUG, logger="signing")
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(attack(signed))
    assert info.value.error == "damaged_pdf"
    records = [r for r in caplog.records if r.name.startswith("signing.verify")]
    assert not [r for r in records if "unexpectedly" in r.getMessage()]
    assert not [r for r in records if r.exc_info or r.levelno >= logging.ERROR]
    refused = [r for r in records if "refused" in r.getMessage()]
    assert refused and all(r.levelno in (logging.INFO, logging.WARNING) for r in refused)
