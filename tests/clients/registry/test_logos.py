"""Agency logos: fetched through the guarded outbound client at registration (never on a
citizen's request), checked, kept, and served from Cédula's own origin by content hash."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from clients.registry.logos import fetch_logo, logo_for, logos_of, refresh_logos, upload_logo
from clients.registry.models import AgencyLogo
from infra.db import get_db
from infra.outbound import Outbound, OutboundPolicy
from tests.support import peers
from tests.support.images import SVG, png

# The budget is a cap, not what is tested: a loaded machine can take seconds over a loopback
# answer, which would turn the refusal a test expects into "timeout".
STRICT = OutboundPolicy(allow_loopback=False, total_seconds=60)
DEMO = OutboundPolicy(allow_loopback=True, total_seconds=60)


def _logos(app, client_id):
    with get_db(app).read() as session:
        return [(row.language, row.sha256, row.error) for row in logos_of(session, client_id)]


def test_a_good_png_is_fetched_at_registration_and_served_from_our_origin(client, fresh_app, register):
    image = png(64, 32)
    with peers.serve(peers.answer(200, image, **{"Content-Type": "image/png"})) as peer:
        body = register({"logo_uri": peer.url("/logo.png")})
    digest = hashlib.sha256(image).hexdigest()
    assert _logos(fresh_app, body["client_id"]) == [("", digest, None)]
    served = client.get(f"/agency-logos/{digest}.png")
    assert served.status_code == 200 and served.data == image
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert "immutable" in served.headers["Cache-Control"]
    assert client.get(f"/agency-logos/{digest}.jpg").status_code == 404
    assert client.get(f"/agency-logos/{'0' * 64}.png").status_code == 404
    assert client.get("/agency-logos/../../etc/passwd").status_code == 404


def test_a_failed_fetch_is_recorded_not_fatal(fresh_app, register):
    with peers.serve(peers.answer(200, SVG, **{"Content-Type": "image/svg+xml"})) as peer:
        body = register({"logo_uri": peer.url("/logo.svg")})
    [(_language, digest, error)] = _logos(fresh_app, body["client_id"])
    assert digest is None and "SVG" in error


@pytest.mark.parametrize("target", ["http://127.0.0.1/logo.png", "http://10.1.2.3/logo.png",
                                    "http://169.254.169.254/latest/meta-data/", "http://[::ffff:10.0.0.1]/x.png"])
def test_private_addresses_are_refused(target):
    with pytest.raises(Exception) as caught:
        fetch_logo(target, outbound=Outbound(STRICT))
    assert caught.value.reason in ("address", "scheme")


@pytest.mark.parametrize("target", ["http://10.0.0.1/logo.png", "http://169.254.169.254/latest/meta-data/"])
def test_redirects_to_private_addresses_are_refused(target, fresh_app):
    with peers.serve(peers.redirect(target)) as peer:
        with pytest.raises(Exception) as caught:
            fetch_logo(peer.url("/logo.png"), outbound=Outbound(DEMO))
    assert caught.value.reason == "address"
    assert peer.connections == 1


def test_too_big_is_refused_unread(fresh_app):
    big = png(32, 32, padding=400 * 1024)
    with peers.serve(peers.answer(200, big, **{"Content-Type": "image/png"})) as peer:
        with pytest.raises(Exception) as caught:
            fetch_logo(peer.url("/logo.png"), outbound=Outbound(DEMO))
    assert caught.value.reason == "too_large"


def test_refresh_records_each_reason_and_keeps_an_upload(fresh_app):
    with get_db(fresh_app).transaction() as session:
        from clients.registry.operator import OperatorRegistration, register_by_operator
        registration = register_by_operator(session, OperatorRegistration(
            name="Hacienda", redirect_uris=("https://hacienda.example.gov/cb",),
            logo_uri="https://logos.example.gov/a.png",
            localized={"logo_uri#en": "https://logos.example.gov/en.png"}))
        client_id = registration.client.client_id

    def refused(uri):
        return fetch_logo("http://10.0.0.1/", outbound=Outbound(STRICT))

    outcomes = refresh_logos(get_db(fresh_app), client_id, fetch=refused)
    assert sorted((o.language, o.error) for o in outcomes) == [
        ("", "could not be fetched (address)"), ("en", "could not be fetched (address)")]
    uploaded = png(20, 20)
    with get_db(fresh_app).transaction() as session:
        upload_logo(session, client_id=client_id, data=uploaded)
    refresh_logos(get_db(fresh_app), client_id, fetch=lambda uri: png(30, 30))
    with get_db(fresh_app).read() as session:
        assert logo_for(session, client_id, "es").sha256 == hashlib.sha256(uploaded).hexdigest()
        assert logo_for(session, client_id, "en").sha256 == hashlib.sha256(png(30, 30)).hexdigest()
        rows = session.scalars(sa.select(AgencyLogo).where(AgencyLogo.client_id == client_id)).all()
        assert {row.source for row in rows} == {"uploaded", "fetched"}
