"""A document's title in the reader's language (`signing.titles`)."""

from __future__ import annotations

from signing.templates import get_template
from signing.titles import language_of, localized_title, titles


def test_a_template_has_its_title_in_every_catalog_language():
    assert titles("residence") == {"es": "Certificado de residencia",
                                   "en": "Certificate of residence"}
    assert get_template("birth").titles == {"es": "Certificado de nacimiento",
                                            "en": "Birth certificate"}


def test_the_reader_sees_the_template_title_in_their_language_whatever_it_was_issued_in():
    issued = "Certificado de residencia"
    assert localized_title(template="residence", issued_title=issued, locale="en") \
        == "Certificate of residence"
    assert localized_title(template="residence", issued_title=issued, locale="en-GB") \
        == "Certificate of residence"
    assert localized_title(template="residence", issued_title="Certificate of residence",
                           locale="es") == issued


def test_without_a_template_the_issued_title_stays():
    assert titles(None) == {} and titles("no_such_template") == {}
    assert localized_title(template=None, issued_title="contrato", locale="en") == "contrato"
    assert localized_title(template="gone", issued_title="Viejo", locale="en") == "Viejo"


def test_an_unknown_language_reads_the_default():
    assert language_of("fr-CA") == "es" and language_of(None) == "es"
    assert language_of("EN_us") == "en"
