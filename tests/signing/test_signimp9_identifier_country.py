"""The semantic identifier in a citizen's certificate names the country that issued the ID
number (ETSI EN 319 412-1, 5.1.3: "IDC" + that country + "-" + the number), not the country
of the CA (`[pki] country`): a deployment whose CA says SV and whose citizens hold Mexican
CURPs (`enrolment.national_id_scheme = "mx-curp"`) wrote "IDCSV-<CURP>", a Salvadoran identity
card that does not exist, which a relying party matching signers by their identifier could
take for the holder of that Salvadoran number (signimp9)."""

from __future__ import annotations

from signing.citizen_signature import sign
from signing.service import CitizenRef
from tests.signing.test_citizen_signature import _verify, approval_for
from tests.signing.verify.samples import blank_pdf

CURP = "GOMC800101HDFRRR06"


def test_the_identifier_names_the_country_of_the_id_number(documents, pki_app):
    assert documents.country == "SV"  # the CA's country
    citizen = CitizenRef(id="5b0c1b9e-2f43-4a8e-9d0c-6f1f3e3b8a11", given_name="Carlos",
                         family_name="Gómez Romero", national_id=CURP, national_id_country="MX")
    pdf = blank_pdf()
    signed = sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(pdf),
                  file_name="contrato.pdf")
    sig = _verify(pki_app, documents.store.read(signed.sha256)).signatures[0]
    assert sig.signer.serial_number == f"IDCMX-{CURP}"


def test_without_a_country_the_identifier_keeps_the_pki_country(documents, citizen, pki_app):
    pdf = blank_pdf()
    signed = sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(pdf),
                  file_name="contrato.pdf")
    sig = _verify(pki_app, documents.store.read(signed.sha256)).signatures[0]
    assert sig.signer.serial_number == f"IDCSV-{citizen.national_id}"
