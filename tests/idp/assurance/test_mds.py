"""FIDO MDS3 BLOBs: signature and chain to the configured root, serial, nextUpdate, look-ups,
loading from a file or a URL, caching and refresh."""

from __future__ import annotations

import base64
import http.server
import json
import os
import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from idp.assurance import METADATA
from idp.assurance.errors import MetadataError
from idp.assurance.mds import MetadataService, key_identifier, parse_blob
from idp.assurance.roots import FIDO_MDS_ROOT_PEM
from tests.idp.assurance.conftest import shared_pki
from tests.support.attestation import AAGUIDS, der, pem, u2f_key_identifier
from tests.support.cli import cedula
from tests.support.components import replace_component

NOW = datetime.now(UTC)


@pytest.fixture
def pki():
    return shared_pki()


def _parse(pki, raw, **kwargs):
    return parse_blob(raw, root_pem=pem(pki.mds_root), now=NOW, **kwargs)


def test_a_valid_blob_is_indexed_by_aaguid_and_key_identifier(pki):
    u2f = u2f_key_identifier(pki.u2f_certificate())
    blob = _parse(pki, pki.blob([
        pki.entry(aaguid=AAGUIDS["packed-full"], uv_methods=[["fingerprint_internal"]]),
        pki.entry(key_identifiers=[u2f], statuses=["FIDO_CERTIFIED", "REVOKED"]),
        {"aaid": "4e4e#4005", "metadataStatement": {}},  # UAF: not a passkey, skipped
    ], no=7, next_update=date(2030, 1, 2)))
    assert blob.serial == 7 and blob.next_update == date(2030, 1, 2) and len(blob.entries) == 2
    entry = blob.find(aaguid=str(AAGUIDS["packed-full"]).upper())
    assert entry is not None and entry.uv_method == "fpt" and entry.refusal is None
    assert entry.roots == (pem(pki.root),)
    assert blob.find(aaguid="00000000-0000-0000-0000-000000000000", key_identifier=u2f).refusal == "REVOKED"
    assert blob.find(aaguid=str(AAGUIDS["tpm"])) is None
    assert blob.all_roots == (pem(pki.root),)
    assert not blob.due(NOW) and blob.due(datetime(2030, 1, 2, tzinfo=UTC))


def test_key_identifier_is_sha1_of_the_subject_public_key():
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    cert = shared_pki().u2f_certificate()
    spki = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    # For a P-256 key the BIT STRING is the last 65 bytes (uncompressed point).
    assert key_identifier(der(cert)) == hashlib.sha1(spki[-65:]).hexdigest()
    assert isinstance(x509.load_der_x509_certificate(der(cert)), x509.Certificate)


def _tamper(raw: bytes) -> bytes:
    head, body, sig = raw.decode().split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["entries"] = []
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{head}.{body}.{sig}".encode()


def test_refused_blobs(pki):
    good = pki.blob([pki.entry(aaguid=AAGUIDS["tpm"])], no=5)
    with pytest.raises(MetadataError, match=r"^the BLOB signature does not verify$"):
        _parse(pki, _tamper(good))
    with pytest.raises(MetadataError, match="does not end at the MDS root"):
        parse_blob(good, root_pem=FIDO_MDS_ROOT_PEM, now=NOW)  # the real FIDO root: not ours
    rogue = pki.blob([], signer_key=pki.root_key, chain=[pki.root])  # a self-made chain
    with pytest.raises(MetadataError, match="does not end at the MDS root"):
        _parse(pki, rogue)
    with pytest.raises(MetadataError, match=r"^the BLOB is number 5, older than the 6 already loaded"):
        _parse(pki, good, previous_serial=6)
    with pytest.raises(MetadataError, match=r"^the BLOB is not a compact JWS"):
        _parse(pki, b"not a jwt")
    head = base64.urlsafe_b64encode(b'{"alg":"ES256","x5u":"https://x"}').rstrip(b"=")
    with pytest.raises(MetadataError, match=r"^BLOBs with an x5u header are not supported"):
        _parse(pki, head + b".e30.AA")


def test_service_installs_caches_and_reads_back(pki, tmp_path):
    cache = tmp_path / "mds" / "blob.jwt"
    service = MetadataService(source="", cache=cache, root_pem=pem(pki.mds_root), timeout=5,
                              retry_seconds=60)
    assert service.current() is None
    service.install(pki.blob([pki.entry(aaguid=AAGUIDS["tpm"])], no=3))
    assert cache.exists() and service.current().serial == 3
    other = MetadataService(source="", cache=cache, root_pem=pem(pki.mds_root), timeout=5,
                            retry_seconds=60)
    assert other.current().serial == 3  # another worker reads the verified copy
    with pytest.raises(MetadataError, match="older than the 3"):
        other.install(pki.blob([], no=2))


def test_revision_names_the_blob_a_worker_answers_with(pki, tmp_path):
    """What a worker keeps on the strength of the metadata (a sign-in's level) is stamped with
    `revision`: it changes with each BLOB accepted, even one of the same `no`, also when the
    BLOB comes from the cache file another worker wrote, and not otherwise."""
    cache = tmp_path / "mds" / "blob.jwt"
    service = MetadataService(source="", cache=cache, root_pem=pem(pki.mds_root), timeout=5,
                              retry_seconds=60)
    other = MetadataService(source="", cache=cache, root_pem=pem(pki.mds_root), timeout=5,
                            retry_seconds=60)
    assert service.revision() == 0  # none
    service.install(pki.blob([pki.entry(aaguid=AAGUIDS["tpm"])], no=3))
    first = service.revision()
    assert first != 0 and service.revision() == first
    service.install(pki.blob([pki.entry(aaguid=AAGUIDS["tpm"], statuses=["REVOKED"])], no=3))
    assert service.revision() not in (0, first)
    seen = other.revision()
    assert seen not in (0, first) and other.current().find(aaguid=str(AAGUIDS["tpm"])).refusal == "REVOKED"
    assert other.revision() == seen


def test_file_source_is_fetched_and_refreshed_after_next_update(pki, tmp_path):
    source = tmp_path / "blob.jwt"
    source.write_bytes(pki.blob([], no=1, next_update=date.today() - timedelta(days=1)))
    service = MetadataService(source=str(source), cache=tmp_path / "cache.jwt",
                              root_pem=pem(pki.mds_root), timeout=5, retry_seconds=60)
    assert service.current().serial == 1  # stale, but the best there is
    source.write_bytes(pki.blob([], no=2))
    later = datetime.now(UTC) + timedelta(seconds=service.CHECK_SECONDS + 1)
    assert service.current(later).serial == 2


def test_failed_refresh_waits_before_trying_again(pki, tmp_path):
    service = MetadataService(source=str(tmp_path / "missing.jwt"), cache=tmp_path / "c.jwt",
                              root_pem=pem(pki.mds_root), timeout=5, retry_seconds=3600)
    assert service.current() is None
    (tmp_path / "missing.jwt").write_bytes(pki.blob([], no=1))
    assert service.current(datetime.now(UTC) + timedelta(seconds=120)) is None  # still waiting
    assert service.current(datetime.now(UTC) + timedelta(seconds=3700)).serial == 1


def test_loads_from_a_url(pki, tmp_path):
    body = pki.blob([pki.entry(aaguid=AAGUIDS["apple"])], no=9)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/jwt")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        service = MetadataService(source=url, cache=tmp_path / "c.jwt", root_pem=pem(pki.mds_root),
                                  timeout=5, retry_seconds=60)
        assert service.current().serial == 9
    finally:
        server.shutdown()
        server.server_close()


def test_cli_loads_a_blob(app, pki, tmp_path, monkeypatch):

    from idp.assurance.mds import MetadataService

    service = MetadataService(source="", cache=tmp_path / "mds" / "blob.jwt",
                              root_pem=pem(pki.mds_root), timeout=5, retry_seconds=60)
    replace_component(monkeypatch, app, METADATA, service)
    blob = tmp_path / "blob.jwt"
    blob.write_bytes(pki.blob([pki.entry(aaguid=AAGUIDS["tpm"], statuses=["REVOKED"])], no=4))
    result = cedula(app, "mds", "load", str(blob))
    assert result.exit_code == 0, result.output
    assert "metadata BLOB no. 4 loaded: 1 authenticators (1 refused by status)" in result.output
    bad = tmp_path / "bad.jwt"
    bad.write_bytes(_tamper(pki.blob([pki.entry(aaguid=AAGUIDS["apple"])], no=5)))
    result = cedula(app, "mds", "load", str(bad))
    assert result.exit_code == 1 and "the BLOB signature does not verify" in result.output
    assert os.path.exists(tmp_path / "mds" / "blob.jwt")
