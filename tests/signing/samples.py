"""Valid data for each template, as an agency would send it."""

from __future__ import annotations

import copy
from typing import Any

RESIDENCE: dict[str, Any] = {
    "full_name": "María José Núñez Peña",
    "identity_document": {"kind": "national_id", "number": "12345678Z"},
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
    "given_names": "Íñigo",
    "surnames": "Ortega Núñez",
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


def sample(name: str) -> dict[str, Any]:
    return copy.deepcopy(SAMPLES[name])
