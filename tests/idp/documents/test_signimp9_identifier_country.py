"""What the identity provider hands `signing` about a citizen says which country issued their
national ID (the scheme's), for the semantic identifier of their signing certificate
(`signing.citizen_signature.semantic_identifier`; signimp9)."""

from __future__ import annotations

import uuid

import pytest

from idp.citizens.models import Citizen
from idp.documents.directory import citizen_ref


@pytest.mark.parametrize(("scheme", "number", "country"), [
    ("sv-dui", "04892613-3", "SV"), ("mx-curp", "GOMC800101HDFRRR06", "MX"),
    ("es-dni", "12345678Z", "ES")])
def test_the_reference_carries_the_country_of_the_scheme(scheme, number, country):
    citizen = Citizen(id=uuid.uuid4(), given_name="Ana", family_name="Pérez",
                      national_id_scheme=scheme, national_id=number)
    ref = citizen_ref(citizen)
    assert (ref.national_id, ref.national_id_country) == (number, country)
