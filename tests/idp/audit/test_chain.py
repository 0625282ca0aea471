"""The hash chain: an untouched log passes; changing, deleting or reordering any single row
fails naming that row; checkpoints are signed at the interval and checked too."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from infra.db import get_db
from tests.idp.audit.conftest import checkpointed_bundle, fill, verify


def _sql(app, statement: str, **params) -> None:
    with get_db(app).engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def test_canonical_json_and_hashes_are_fixed():
    from idp.audit.chain import GENESIS, canonical, entry_hash

    assert canonical({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'.encode()
    body = {"at": "2026-01-02T03:04:05.000006Z", "event": "consent.given", "citizen": "c", "agency": "a",
            "purpose": None, "legal_basis": "consent", "law": None, "claims": ["sub"], "reference": None}
    first = entry_hash(seq=1, prev=GENESIS, body=body)
    assert len(first) == 64 and first == entry_hash(seq=1, prev=GENESIS, body=dict(reversed(body.items())))
    assert entry_hash(seq=2, prev=GENESIS, body=body) != first


def test_untouched_log_passes_with_checkpoints_at_the_interval(oidc_app, audit_log):
    fill(oidc_app, audit_log, 12)
    report = verify(oidc_app)
    assert report.ok, report.problem
    assert report.entries == 12
    from idp.audit.models import Checkpoint
    from infra.db import get_db

    with get_db(oidc_app).read() as session:
        seqs = list(session.scalars(sa.select(Checkpoint.seq).order_by(Checkpoint.seq)))
    assert seqs == [1, 6, 11]  # the first append, then every 5 entries


@pytest.mark.parametrize("column, value", [("claims", '["sub","national_id"]'), ("client_id", "other"),
                                           ("event", "consent.given"), ("citizen_ref", "c9"),
                                           ("prev_hash", "f" * 64), ("hash", "e" * 64)])
def test_changing_any_field_of_a_row_names_that_row(oidc_app, audit_log, column, value):
    fill(oidc_app, audit_log, 9)
    _sql(oidc_app, f"UPDATE audit_entries SET {column} = :v WHERE seq = 7", v=value)
    report = verify(oidc_app)
    assert not report.ok
    if column == "hash":  # the row itself still hashes the same: its successor no longer follows it
        assert (report.problem.seq, report.problem.kind) in {(7, "altered")}
    else:
        assert report.problem.seq == 7 and report.problem.kind == "altered", report.problem
    assert "entry 7" in report.problem.message


def test_a_row_altered_with_its_own_hash_recomputed_breaks_the_next_link(oidc_app, audit_log):
    from idp.audit.chain import body_hash, link_hash
    from idp.audit.models import AuditEntry
    from infra.db import get_db

    fill(oidc_app, audit_log, 8)
    with get_db(oidc_app).transaction() as session:
        row = session.scalars(sa.select(AuditEntry).where(AuditEntry.seq == 4)).one()
        row.client_id = "elsewhere"
        row.hash = link_hash(seq=4, prev=row.prev_hash, body_digest=body_hash(row.body().to_json()))
    report = verify(oidc_app)
    assert (report.problem.seq, report.problem.kind) == (5, "out_of_order")
    assert "entry 4 was altered and its hash recomputed" in report.problem.message


def test_changing_a_time_names_that_row(oidc_app, audit_log):
    from datetime import UTC, datetime

    fill(oidc_app, audit_log, 4)
    with get_db(oidc_app).engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entries SET at = :at WHERE seq = 2"),
                     {"at": datetime(2020, 1, 1, tzinfo=UTC)})
    report = verify(oidc_app)
    assert (report.problem.seq, report.problem.kind) == (2, "altered")


def test_deleting_a_row_names_it(oidc_app, audit_log):
    fill(oidc_app, audit_log, 9)
    _sql(oidc_app, "DELETE FROM audit_entries WHERE seq = 4")
    report = verify(oidc_app)
    assert (report.problem.seq, report.problem.kind) == (4, "missing")
    assert report.problem.message == "entry 4 is missing: the log goes from entry 3 to entry 5"


def test_deleting_the_newest_row_names_it(oidc_app, audit_log):
    fill(oidc_app, audit_log, 9)
    _sql(oidc_app, "DELETE FROM audit_entries WHERE seq = 9")
    report = verify(oidc_app)
    assert (report.problem.seq, report.problem.kind) == (9, "missing")


def test_deleting_a_row_and_renumbering_the_rest_names_it(oidc_app, audit_log):
    fill(oidc_app, audit_log, 6)
    _sql(oidc_app, "DELETE FROM audit_entries WHERE seq = 3")
    for seq in (4, 5, 6):
        _sql(oidc_app, "UPDATE audit_entries SET seq = :new WHERE seq = :old", new=seq - 1, old=seq)
    report = verify(oidc_app)
    assert report.problem.seq == 3 and report.problem.kind == "altered"


def test_reordering_two_rows_names_the_first(oidc_app, audit_log):
    fill(oidc_app, audit_log, 8)
    _sql(oidc_app, "UPDATE audit_entries SET seq = -1 WHERE seq = 5")
    _sql(oidc_app, "UPDATE audit_entries SET seq = 5 WHERE seq = 6")
    _sql(oidc_app, "UPDATE audit_entries SET seq = 6 WHERE seq = -1")
    report = verify(oidc_app)
    assert (report.problem.seq, report.problem.kind) == (5, "altered")


def test_a_recomputed_chain_is_caught_by_the_signed_checkpoint(oidc_app, audit_log):
    from idp.audit.chain import body_hash, link_hash
    from idp.audit.models import AuditEntry, ChainHead
    from infra.db import get_db

    fill(oidc_app, audit_log, 9)  # checkpoints at 1 and 6
    with get_db(oidc_app).transaction() as session:
        rows = list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)))
        rows[2].claims = ["sub", "national_id"]  # entry 3, then every hash after it recomputed
        prev = rows[1].hash
        for row in rows[2:]:
            row.prev_hash = prev
            row.hash = link_hash(seq=row.seq, prev=prev, body_digest=body_hash(row.body().to_json()))
            prev = row.hash
        session.get(ChainHead, 1).hash = prev
    report = verify(oidc_app)
    # The checkpoint at 6 no longer matches; the MACs name the entry that changed in its stretch.
    assert (report.problem.seq, report.problem.kind) == (3, "altered"), report.problem
    assert "checkpoint at entry 6 no longer matches" in report.problem.message


def test_a_forged_or_removed_checkpoint_fails(oidc_app, audit_log):
    fill(oidc_app, audit_log, 12)
    _sql(oidc_app, "UPDATE audit_checkpoints SET jws = :j WHERE seq = 6",
         j="eyJhbGciOiJFUzI1NiJ9.eyJzZXEiOjZ9.AAAA")
    report = verify(oidc_app)
    assert (report.problem.seq, report.problem.kind) == (6, "checkpoint")
    _sql(oidc_app, "DELETE FROM audit_checkpoints WHERE seq = 6")
    report = verify(oidc_app)
    assert report.problem.kind == "checkpoint" and report.problem.seq == 11  # its successor no longer links


def test_unknown_events_and_bases_are_refused(oidc_app, audit_log):
    from idp import audit
    from infra.db import get_db

    with oidc_app.app_context(), get_db(oidc_app).transaction() as session:
        with pytest.raises(audit.AuditError, match="event must be one of"):
            audit.append(session, event="release.everything", citizen_id="c", log=audit_log)
        with pytest.raises(audit.AuditError, match="needs the text of the law"):
            audit.append(session, event="document.issued", citizen_id="c", legal_basis="law", log=audit_log)


def test_citizen_bundle_checks_offline_and_catches_tampering(oidc_app, audit_log):
    from idp import audit

    fill(oidc_app, audit_log, 13)
    bundle = checkpointed_bundle(oidc_app, audit_log)
    assert [e["seq"] for e in bundle["entries"]] == [1, 3, 5, 7, 9, 11, 13]
    for segment in bundle["segments"]:  # others' entries appear only as (seq, body digest)
        assert all(isinstance(seq, int) and len(digest) == 64 for seq, digest in segment["digests"])
    document = json.loads(json.dumps(bundle))
    with oidc_app.app_context():
        trusted = audit.trusted_keys(oidc_app)
    assert audit.verify_bundle(document, trusted=trusted) == 7
    document["entries"][2]["body"]["claims"] = ["sub"]
    with pytest.raises(audit.AuditError, match="entry 5 was altered"):
        audit.verify_bundle(document, trusted=trusted)
    document = json.loads(json.dumps(bundle))
    assert [(s["after"], s["until"]) for s in document["segments"]] == [(0, 1), (1, 6), (6, 11), (11, 13)]
    document["segments"][1]["digests"].pop(0)
    with pytest.raises(audit.AuditError, match="entry 2 is missing"):
        audit.verify_bundle(document, trusted=trusted)


def test_pending_entries_are_reported_as_pending_not_as_tampering(oidc_app, audit_log):
    from idp import audit
    from infra.db import get_db

    fill(oidc_app, audit_log, 4)
    fill(oidc_app, audit_log, 3, start=4, seal=False)
    report = verify(oidc_app)
    assert report.ok, report.problem
    assert (report.entries, report.pending) == (4, 3)
    assert audit.seal(get_db(oidc_app), log=audit_log) == 3
    report = verify(oidc_app)
    assert report.ok and (report.entries, report.pending) == (7, 0)


def test_a_sealed_entry_made_pending_again_is_missing(oidc_app, audit_log):
    fill(oidc_app, audit_log, 6)
    _sql(oidc_app, "UPDATE audit_entries SET seq = NULL, prev_hash = NULL, hash = NULL WHERE seq = 3")
    report = verify(oidc_app)
    assert (report.problem.seq, report.problem.kind) == (3, "missing")
    # Sealing again does not hide it: the entry is chained after the head, entry 3 stays a gap.
    from idp import audit
    from infra.db import get_db

    assert audit.seal(get_db(oidc_app), log=audit_log) == 1
    report = verify(oidc_app)
    assert (report.problem.seq, report.problem.kind) == (3, "missing")


def test_checkpoints_fall_at_the_interval_whatever_the_batches(oidc_app, audit_log):
    """Sealing 12 entries in one batch signs at 1, 6 and 11, as sealing them one by one does."""
    from idp.audit.models import Checkpoint
    from infra.db import get_db

    fill(oidc_app, audit_log, 12, seal=False)
    from idp import audit

    assert audit.seal(get_db(oidc_app), log=audit_log) == 12
    with get_db(oidc_app).read() as session:
        seqs = list(session.scalars(sa.select(Checkpoint.seq).order_by(Checkpoint.seq)))
    assert seqs == [1, 6, 11]
    assert verify(oidc_app).ok


def test_sealing_a_batch_gives_the_hashes_of_one_entry_at_a_time():
    """`chain_links` (the sealer's batch path) is byte-identical to `Body` + `entry_hash`, one
    entry at a time, for awkward values too: accents, quotes, nulls, naive and other-zone times,
    and a head whose hash is not a hex digest."""
    from datetime import UTC, datetime, timedelta, timezone

    from idp.audit.chain import GENESIS, Body, chain_links, entry_hash

    rows = [
        (7, datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "consent.given", "c", "a", None, "consent", None,
         ["sub"], None),
        (8, datetime(2026, 1, 2, 3, 4, 5), "release.userinfo", 'c"\\\u2028', "agency-é", "Trámites \"x\"",
         "law", "Ley 1/2020 \n art. 3", ["email", "sub"], "ref-1"),
        (9, datetime(2026, 1, 2, 5, 4, 5, 0, tzinfo=timezone(timedelta(hours=2))), "release.id_token", None,
         None, None, "consent", None, None, None),
        (10, datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "account.closed", "c", None, "", "consent",
         None, [], "\U0001f600"),
        (11, datetime(999, 3, 4, 5, 6, 7, 0, tzinfo=UTC), "account.closed", "c", None, None, "consent", None,
         None, None),
        (12, datetime(2026, 3, 4, 5, 6, 7, 0), "account.closed", "c", None, None, "consent", None, None, None),
    ]
    for seq, prev in ((0, GENESIS), (41, "ab" * 32), (3, 'not "hex"')):
        expected, at, hashes = [], seq, prev
        for (id_, moment, event, citizen, agency, purpose, basis, law, claims, reference) in rows:
            at += 1
            body = Body(at=moment, event=event, citizen=citizen, agency=agency, purpose=purpose,
                        legal_basis=basis, law=law, claims=tuple(claims or ()), reference=reference)
            digest = entry_hash(seq=at, prev=hashes, body=body.to_json())
            expected.append({"b_id": id_, "b_seq": at, "b_prev": hashes, "b_hash": digest})
            hashes = digest
        assert chain_links(rows, seq=seq, prev=prev) == expected


def test_the_first_entry_hash_is_pinned():
    """A known hash, computed with nothing but json and hashlib: the chain's format is fixed."""
    import hashlib
    from datetime import UTC, datetime

    from idp.audit.chain import GENESIS, chain_links

    row = (1, datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "release.userinfo", "c1", "agency-0", "Trámites",
           "consent", None, ["email", "sub"], None)
    body = ('{"agency":"agency-0","at":"2026-01-02T03:04:05.000006Z","citizen":"c1","claims":["email","sub"],'
            '"event":"release.userinfo","law":null,"legal_basis":"consent","purpose":"Trámites","reference":null}')
    body_digest = hashlib.sha256(body.encode()).hexdigest()
    link = f'{{"body":"{body_digest}","prev":"{GENESIS}","seq":1}}'
    (only,) = chain_links([row], seq=0, prev=GENESIS)
    assert only["b_hash"] == hashlib.sha256(link.encode()).hexdigest()


def test_a_body_with_other_than_strings_is_hashed_by_the_encoder():
    """`chain_links` writes a body's JSON itself only for strings and nulls; anything else (a
    damaged row: numbers among the claims, a tuple) is hashed as `entry_hash` hashes it."""
    from datetime import UTC, datetime

    from idp.audit.chain import GENESIS, Body, chain_links, entry_hash

    moment = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    for claims, citizen in ((["sub", 7], "c"), (("email", "sub"), "c"), (["sub"], 12), (None, None)):
        row = (1, moment, "release.userinfo", citizen, "agency", None, "consent", None, claims, None)
        body = Body(at=moment, event="release.userinfo", citizen=citizen, agency="agency", purpose=None,
                    legal_basis="consent", law=None, claims=tuple(claims or ()), reference=None)
        (only,) = chain_links([row], seq=0, prev=GENESIS)
        assert only["b_hash"] == entry_hash(seq=1, prev=GENESIS, body=body.to_json())


def test_the_sealer_reads_pending_entries_as_sqlalchemy_does(oidc_app, audit_log):
    """The sealer's SELECT runs as the driver's SQL (`idp.audit.seal._pending_rows`): the values
    are those SQLAlchemy's own statement gives (times, claim lists), on either database."""
    import importlib
    from datetime import datetime

    sealing = importlib.import_module("idp.audit.seal")
    fill(oidc_app, audit_log, 7, seal=False)
    with oidc_app.app_context(), get_db(oidc_app).read() as session:
        connection = session.connection()
        expected = connection.execute(sealing._PENDING, {"take": 5, "after": 0}).fetchall()
        rows = sealing._pending_rows(connection, 5)
    assert len(rows) == 5
    assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
    assert isinstance(rows[0][1], datetime) and rows[0][8] == ["email", "sub"]


def test_the_entry_mac_is_rfc_2104_hmac_sha256_whatever_key_came_before():
    """`entry_mac` keys each HMAC once and copies it per entry (issue 16): the MAC stays the
    plain HMAC-SHA256 of the body under that key, pinned, with keys interleaved, more keys than
    it keeps keyed, keys longer than a block, from several threads at once."""
    import hashlib
    import hmac
    from concurrent.futures import ThreadPoolExecutor

    from idp.audit.chain import entry_mac

    body = '{"agency":"a","at":"2026-01-02T03:04:05.000006Z","citizen":"c","claims":["sub"],"event":"x"}'
    assert entry_mac(b"k" * 32, body) == "47ba3c568860d009f8617f90bf20a8ec6dc49dc305f80a5ca8a8e17ce71c293b"
    keys = [bytes([n]) * size for n in range(20) for size in (1, 32, 64, 65, 200)]
    bodies = [body, "", "é\u2028\U0001f600", body * 40]

    def check(key: bytes) -> None:
        for text in bodies:
            assert entry_mac(key, text) == hmac.new(key, text.encode(), hashlib.sha256).hexdigest()

    for key in keys + keys[::-1]:
        check(key)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(check, keys * 4))


def test_the_time_of_a_body_is_written_as_strftime_writes_it():
    """`timestamp` writes with isoformat and keeps its last text (issue 16): the same text as
    strftime in UTC, for naive (taken as UTC) and aware times in any zone, years below 1000,
    whole seconds, and one time after another that is equal, the same instant elsewhere, or a
    naive time with an aware one's fields."""
    from datetime import UTC, datetime, timedelta, timezone

    from idp.audit.chain import timestamp

    def strftime(moment: datetime) -> str:
        aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    plus_two = timezone(timedelta(hours=2))
    moments = [datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
               datetime(2026, 1, 2, 5, 4, 5, 6, tzinfo=plus_two), datetime(2026, 1, 2, 3, 4, 5, 6),
               datetime(2026, 1, 2, 5, 4, 5, 6), datetime(2026, 1, 2, 5, 4, 5, 6, tzinfo=timezone(timedelta(0))),
               datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(2027, 1, 1, 1, 0, 0, tzinfo=plus_two),
               datetime(999, 3, 4, 5, 6, 7, tzinfo=UTC), datetime(999, 3, 4, 5, 6, 7), datetime(1000, 1, 1, 1, 0,
               tzinfo=plus_two), datetime(9999, 12, 31, 23, 59, 59, 999999), datetime.fromtimestamp(0, UTC)]
    for moment in moments + moments[::-1] + moments:
        assert timestamp(moment) == strftime(moment), moment


def test_the_sealer_hashes_the_bodies_whose_mac_it_checked():
    """The sealer writes each body's JSON once (issue 16): `authenticated` hands the bodies of
    the rows whose MAC matches to `chain_links`, in step with those rows (a refused row's body
    is left out with it), and the links are those of the rows alone."""
    from datetime import datetime, timedelta, timezone

    from idp.audit.chain import GENESIS, authentic, authenticated, chain_links, entry_mac, row_body_json

    key = b"entry key" * 4
    rows = [(n, datetime(2026, 1, 2, 3, 4, n, tzinfo=timezone(timedelta(hours=n % 3))) if n % 2 else
             datetime(2026, 1, 2, 3, 4, n), "release.userinfo", f"c{n}", "agency-é", "Trámites", "consent", None,
             ["email", "sub"][: n % 3], None) for n in range(1, 8)]
    signed = [(*row, entry_mac(key, row_body_json(row))) for row in rows]
    signed[2] = (*signed[2][:3], "someone else", *signed[2][4:])  # changed after its MAC
    signed[4] = (*signed[4][:10], None)  # its MAC stripped
    good, bodies, refused = authenticated(signed, key)
    assert refused == [3, 5] and [row[0] for row in good] == [1, 2, 4, 6, 7]
    assert bodies == [row_body_json(row) for row in good]
    assert authentic(signed, key) == (good, refused)
    assert chain_links(good, seq=9, prev=GENESIS, bodies=bodies) == chain_links(
        [row[:10] for row in good], seq=9, prev=GENESIS)
