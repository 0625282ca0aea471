"""The promise: stateless nodes over PostgreSQL and Redis; a sign-in started on one node
finishes on the other."""

from __future__ import annotations

import requests

from tests.cluster.conftest import next_number
from tests.cluster.journeys import AgencyClient, Citizen, verify


def test_a_citizens_journey_alternates_between_the_nodes(topology, provider):
    citizen = Citizen(provider, next_number())
    citizen.enrol()
    citizen.sign_in()
    tokens = citizen.sign_in_to_agency(topology.agency)
    citizen.refresh(topology.agency, tokens["refresh_token"])
    document = AgencyClient(provider, topology.agency).issue(citizen.sub)
    assert verify(provider, document["csv"])["indication"]
    steps = [(a.step, a.node) for a in provider.ledger.answers]
    by_step = {}
    for step, node in steps:
        by_step.setdefault(step, []).append(node)
    # options on one node, the passkey's answer verified on the other (round robin)
    assert by_step["sign-in options"][0] != by_step["sign-in verify"][0], steps
    assert by_step["enrol options"][0] != by_step["enrol verify"][0], steps
    # authorization, token and userinfo were served by both nodes between them
    assert {node for step, node in steps if step in ("authorize", "consent", "token", "userinfo")} == \
        {"node-a", "node-b"}, steps
    assert provider.ledger.statuses().keys() <= {200, 201, 302, 303}


def test_haproxy_checks_readiness(topology):
    for node in topology.nodes:
        assert requests.get(node.url("/readyz"), timeout=30).json()["status"] == "ok"
    answered_by = {requests.get(topology.url("/healthz"), timeout=30).headers["Cedula-Node"] for _ in range(4)}
    assert answered_by == {"node-a", "node-b"}


def _lines_with(path, text: str) -> list[str]:
    return [line for line in path.read_text(errors="replace").splitlines() if text in line]


def test_one_request_id_in_the_balancers_log_the_nodes_log_and_the_answer(topology):
    """The balancer gave a request no id of its own and logged none: a 502 or a slow answer in
    its log could not be found in a node's log."""
    answer = requests.get(topology.url("/.well-known/openid-configuration"), timeout=30)
    made = answer.headers["X-Request-Id"]
    node = next(n for n in topology.nodes if n.name == answer.headers["Cedula-Node"])
    kept = requests.get(topology.url("/.well-known/openid-configuration"), timeout=30,
                        headers={"X-Request-Id": "agency-7f3a.42"})
    assert kept.headers["X-Request-Id"] == "agency-7f3a.42"
    replaced = requests.get(topology.url("/.well-known/openid-configuration"), timeout=30,
                            headers={"X-Request-Id": "forged id {with} spaces"})
    assert replaced.headers["X-Request-Id"] != "forged id {with} spaces"
    for request_id, by in ((made, node), (replaced.headers["X-Request-Id"], None)):
        nodes = [by] if by else topology.nodes
        assert any(_lines_with(n.log, f'"request_id": "{request_id}"') for n in nodes), request_id
        assert _lines_with(topology.haproxy.log, request_id), request_id
    assert _lines_with(topology.haproxy.log, "agency-7f3a.42")
