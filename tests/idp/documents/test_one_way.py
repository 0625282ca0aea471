"""The documents' requests go one way through the packages (issue 15): `signing`, `keys` and
`clients` serve the identity provider and never call back into `idp` while a request runs.

The calls are traced (`sys.setprofile`) while the request runs; a call into a function of
`idp` whose nearest caller in the project is in `signing`, `keys` or `clients` is a call back.
The platform (`infra`) runs the app's hooks and views, so its calls into `idp` are not counted.
Only the requesting thread is traced.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from tests.idp.conftest import post_json
from tests.idp.documents.conftest import AGENCY_NAME, agency_token
from tests.idp.oidc.conftest import bearer
from tests.signing import samples

REPOSITORY = Path(__file__).resolve().parents[3]
SERVING = ("signing", "keys", "clients")


def _module(frame: FrameType) -> str | None:
    """`signing.issuance` for a frame of the project's own code; None for any other."""
    try:
        relative = Path(frame.f_code.co_filename).resolve().relative_to(REPOSITORY)
    except ValueError:
        return None
    if relative.parts[0] not in ("infra", *SERVING, "idp") or relative.suffix != ".py":
        return None
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@contextmanager
def calls_back() -> Iterator[set[str]]:
    """The calls back into `idp` made while the block runs, as `caller -> callee`."""
    found: set[str] = set()

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        if event != "call":
            return
        callee = _module(frame)
        if callee is None or not callee.startswith("idp"):
            return
        caller_frame = frame.f_back
        while caller_frame is not None and _module(caller_frame) is None:
            caller_frame = caller_frame.f_back
        caller = _module(caller_frame) if caller_frame is not None else None
        if caller is not None and caller.split(".")[0] in SERVING:
            assert caller_frame is not None
            found.add(f"{caller}.{caller_frame.f_code.co_name} -> {callee}.{frame.f_code.co_name}")

    previous: Callable | None = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield found
    finally:
        sys.setprofile(previous)


def test_issuing_and_verifying_call_nothing_of_idp_back(web, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    payload = {"template": "residence", "data": samples.RESIDENCE, "subject": sub, "language": "en"}
    with calls_back() as issuing:
        issued = web.post("/api/documents", data=json.dumps(payload), content_type="application/json",
                          headers=bearer(token))
    assert issued.status_code == 201, issued.get_json()
    assert issuing == set(), "signing, keys or clients called idp back while a document was issued"

    pdf = web.get(f"/api/documents/{issued.get_json()['id']}/pdf", headers=bearer(token)).data
    with calls_back() as verifying:
        verified = web.post("/api/verify?lang=en", data=pdf, headers={"Content-Type": "application/pdf"})
    assert verified.status_code == 200, verified.get_json()
    assert verified.get_json()["document"]["csv"] == issued.get_json()["csv"]
    assert verified.get_json()["document"]["issuer"] == AGENCY_NAME  # read through clients.registry
    assert verifying == set(), "signing, keys or clients called idp back while a file was verified"


def test_a_citizen_signature_calls_nothing_of_idp_back(web, signed_in):
    """The pages own the transaction: `sign_pdf`, then the row and the log entry
    (`idp.documents.issuing.record_signed`); nothing is written through the directory."""
    from tests.idp.documents.test_citizen_signing import _pdf, _upload, _upload_id

    enrolled, _ = signed_in
    upload = _upload_id(_upload(web, _pdf()))
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    assertion = enrolled.key.authenticate(options)
    with calls_back() as signing:
        response = post_json(web, f"/account/sign/{upload}/confirm", assertion)
    assert response.status_code == 200, response.get_json()
    assert signing == set(), "signing, keys or clients called idp back while a citizen signed"


def test_issuing_from_the_command_line_calls_nothing_of_idp_back(docs_app, agency, signed_in, tmp_path):
    """`cedula documents issue` reads the agency and logs the release in idp
    (`idp.documents.issuing.record_issued`), not through the directory from `signing`."""
    from click.testing import CliRunner

    from idp.cli import Context, cli
    from tests.signing.conftest import AGENCY

    enrolled, _ = signed_in
    data = tmp_path / "residence.json"
    data.write_text(json.dumps(samples.RESIDENCE), encoding="utf-8")
    arguments = ["documents", "issue", "--client", AGENCY, "--template", "residence",
                 "--national-id", enrolled.national_id, "--data", str(data), "--out", str(tmp_path / "r.pdf")]
    CliRunner().invoke(cli, ["documents", "--help"], obj=Context(app=docs_app))  # the commands imported
    with calls_back() as issuing:
        result = CliRunner().invoke(cli, arguments, obj=Context(app=docs_app))
    assert result.exit_code == 0, result.output
    assert issuing == set(), "signing, keys or clients called idp back while the command issued"


def test_issuing_in_one_go_calls_nothing_of_idp_back(docs_app):
    """`signing.issuance.issue` (tests and benchmarks) is given the agency's name and stores
    the document in its own transaction: it asks the identity provider's directory nothing,
    and writes nothing of idp's (no log entry, no data kept for wallets)."""
    from signing.issuance import issue
    from signing.service import CitizenRef, get_documents
    from tests.signing.conftest import AGENCY

    citizen = CitizenRef(id="0", given_name="Ana", family_name="Pérez", national_id="04892613-3")
    with docs_app.app_context(), calls_back() as found:
        issued = issue(get_documents(docs_app), client_id=AGENCY, agency_name=AGENCY_NAME,
                       template="residence", citizen=citizen, data=samples.RESIDENCE)
    assert issued.template == "residence"
    assert found == set(), "signing.issuance.issue called idp back"


def test_the_trace_sees_a_call_back(fresh_app):
    """The check itself can fail: `cedula documents list --national-id` (`signing.cli`) asks
    idp's directory for the citizen, a reader the `Directory` hands `signing` on purpose."""
    from click.testing import CliRunner

    from idp.cli import Context, cli

    CliRunner().invoke(cli, ["documents", "--help"], obj=Context(app=fresh_app))  # the commands imported
    with calls_back() as found:
        result = CliRunner().invoke(cli, ["documents", "list", "--national-id", "04892613-3"],
                                    obj=Context(app=fresh_app))
    assert "no citizen is enrolled" in result.output, result.output
    assert found == {"signing.cli.list_documents -> idp.documents.directory.citizen_by_national_id"}
