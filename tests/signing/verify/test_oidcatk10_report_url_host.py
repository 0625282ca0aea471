"""The verification API's answer for a code no document has (`GET /api/verify/<code>`, a
possible forgery) names where to report it (`report_url`): the provider's own page, at its
issuer, whatever Host header the request came with. It was built from the request's Host
(Flask's `url_for(_external=True)`), so anyone in front of the service (a proxy or cache that
passes the header on, a client library told another base) could make the answer send the
citizen's report of a forged document to another site."""

from __future__ import annotations

import pytest

CODE = "AHCD-3S83-VTJ9-8JRB-1VK3"


@pytest.mark.parametrize("host", ["evil.example", "localhost:9999", "evil.example/x?"])
def test_the_report_address_is_the_issuers_whatever_the_host_header(client, host):
    response = client.get(f"/api/verify/{CODE}", headers={"Host": host})
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["report_url"] == f"http://localhost/verify/{CODE}#report"


def test_the_report_address_follows_the_issuer_and_its_mount_point(client):
    response = client.get(f"/api/verify/{CODE.lower()}")
    assert response.get_json()["report_url"] == f"http://localhost/verify/{CODE}#report"
