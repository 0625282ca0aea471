"""A consent receipt's downloads say what file the citizen gets, in words: the receipt page said
«La copia firmada (JWS) sirve para demostrar este permiso…» (a format's acronym no citizen
knows), and «Descargar el comprobante firmado» gave, with nothing said, a `.jwt` file that no
phone or computer opens, beside «Descargar el comprobante (PDF)». Every download link on the
receipt and connected agencies pages now names its kind of file in brackets, as the log's
(«(PDF, para leerlo o imprimirlo)», «(JSON, con firmas para comprobarlo)») do."""

from __future__ import annotations

import re

import pytest

from idp.consent.models import Consent
from infra.db import get_db
from tests.idp.consent.conftest import csrf_from
from tests.idp.oidc.conftest import tokens_for

FORMAT_WORDS = re.compile(r"\b(JWS|JWT|JOSE)\b")
DOWNLOAD = re.compile(r"<a\b[^>]*\bdownload\b[^>]*>(.*?)</a>", re.S)


def _reading(html: str) -> str:
    main = html[html.index("<main"):html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def _downloads(html: str) -> list[str]:
    return [" ".join(re.sub(r'<span class="visually-hidden"[^>]*>.*?</span>|<[^>]+>', " ", text, flags=re.S).split())
            for text in DOWNLOAD.findall(html)]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_receipt_download_names_its_kind_of_file_in_words(client, register, citizen, lang):
    agency = register(client_name="Ministerio de Educación", purpose="Matrícula escolar")
    tokens_for(client, agency, scope="openid email")
    with get_db(client.application).read() as db:
        consent_id = str(db.query(Consent).one().id)
    client.set_cookie("lang", lang)
    agencies = client.get("/account/agencies").get_data(as_text=True)
    withdraw = client.get(f"/account/agencies/revoke?client_id={agency.client_id}").get_data(as_text=True)
    done = client.post("/account/agencies/revoke", data={"csrf_token": csrf_from(withdraw),
                                                         "client_id": agency.client_id})
    assert done.status_code == 303
    pages = {"/account/agencies": agencies,
             "receipt": client.get(f"/account/agencies/{consent_id}/receipt").get_data(as_text=True)}
    assert "?withdrawal=1" in pages["receipt"], "the withdrawal's receipt is offered too"
    problems = []
    for name, html in pages.items():
        if found := sorted(set(FORMAT_WORDS.findall(_reading(html)))):
            problems.append(f"{name}: {found} in the reading")
        links = _downloads(html)
        problems += [f"{name}: «{text}» does not say what file it is" for text in links
                     if not re.search(r"\(\w[^)]*\)$", text)]
    assert not problems, "\n".join(problems)
