"""Valid data for each template, as an agency would send it."""

from __future__ import annotations

import copy
from typing import Any

# The holder's fields (the citizen the document is issued to): the register fills them when an
# agency leaves them out (`signing.templates.holder`), as these samples do; `sample(name,
# holder=True)` has them, for rendering and validating without a citizen.
HOLDER: dict[str, dict[str, Any]] = {
    "residence": {"full_name": "María José Núñez Peña",
                  "identity_document": {"kind": "national_id", "number": "12345678Z"}},
    "birth": {"given_names": "Íñigo", "surnames": "Ortega Núñez"},
}

RESIDENCE: dict[str, Any] = {
    "date_of_birth": "1986-11-02",
    "nationality": "Española",
    "address": {"line": "Calle de la Luna 17, 3.º B", "postal_code": "28004",
                "locality": "Malasaña"},
    "municipality": "Madrid",
    "province": "Madrid",
    "country": "España",
    "resident_since": "2019-03-01",
    "register_entry": "HP-2019/004871",
    "household": [
        {"full_name": "Íñigo Ortega Núñez", "relationship": "child",
         "date_of_birth": "2015-07-09"},
    ],
}

BIRTH: dict[str, Any] = {
    "sex": "male",
    "born_on": "2015-07-09",
    "time_of_birth": "04:35",
    "place_of_birth": {"facility": "Hospital Universitario La Paz", "municipality": "Madrid",
                       "province": "Madrid", "country": "España"},
    "parents": [
        {"relationship": "mother", "full_name": "María José Núñez Peña",
         "nationality": "española"},
        {"relationship": "father", "full_name": "Javier Ortega Ruiz"},
    ],
    "registry": {"office": "Registro Civil Único de Madrid", "section": "1.ª", "book": "142",
                 "page": "87", "entry": "2015-1375"},
    "registered_on": "2015-07-14",
    "marginal_notes": ["Por resolución de 3 de marzo de 2021 se rectifica el segundo "
                       "apellido de la madre, que es «Núñez»."],
}

SAMPLES = {"residence": RESIDENCE, "birth": BIRTH}


def sample(name: str, *, holder: bool = False) -> dict[str, Any]:
    """A copy of the sample; with `holder`, the holder's fields first, as an agency may send them."""
    data = copy.deepcopy(SAMPLES[name])
    return {**copy.deepcopy(HOLDER[name]), **data} if holder else data
