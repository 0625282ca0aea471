"""ops/: the Prometheus alert rules and the Grafana dashboard use only metrics the service
exposes, and every runbook link points at a section of docs/operations.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
METRIC = re.compile(r"\b(cedula_[a-z_]+)")
SUFFIXES = ("_bucket", "_sum", "_count", "_created")


def _exposed(client) -> set[str]:
    from infra.ops.metrics import TOKEN

    client.get("/openapi.json")
    body = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN.of(client.application)}"}).get_data(
        as_text=True)
    return set(re.findall(r"^# TYPE (\S+) ", body, re.M)) | {
        m.group(1) for m in re.finditer(r"^(cedula_[a-z_]+)", body, re.M)}


def _known(name: str, exposed: set[str]) -> bool:
    return name in exposed or any(name.endswith(s) and name[: -len(s)] in exposed for s in SUFFIXES)


def _anchors() -> set[str]:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    return {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.+)$", text, re.M)}


def test_alert_rules_are_complete_and_use_exposed_metrics(client):
    exposed = _exposed(client)
    rules = yaml.safe_load((ROOT / "ops" / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))
    found = [rule for group in rules["groups"] for rule in group["rules"]]
    names = {rule["alert"] for rule in found}
    assert {"CedulaTokenSlow", "CedulaUserinfoSlow", "CedulaSignInSlow", "CedulaSealingSlow",
            "CedulaErrorBudgetBurn", "CedulaCertificateExpiresSoon", "CedulaBackchannelFailures",
            "CedulaAuditCheckpointLag"} <= names
    anchors = _anchors()
    for rule in found:
        assert rule["labels"]["severity"] in ("page", "ticket"), rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        unknown = [m for m in METRIC.findall(rule["expr"]) if not _known(m, exposed)]
        assert unknown == [], f"{rule['alert']} uses metrics the service does not expose: {unknown}"
        runbook = rule["annotations"]["runbook"]
        if runbook.startswith("docs/operations.md#"):
            assert runbook.split("#", 1)[1] in anchors, runbook


def test_grafana_dashboard_uses_exposed_metrics(client):
    exposed = _exposed(client)
    dashboard = json.loads((ROOT / "ops" / "grafana" / "cedula.json").read_text(encoding="utf-8"))
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)) and len(ids) >= 10
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            unknown = [m for m in METRIC.findall(target["expr"]) if not _known(m, exposed)]
            assert unknown == [], f"panel {panel['title']!r} uses {unknown}"
    assert {v["name"] for v in dashboard["templating"]["list"]} == {"datasource", "agency"}
