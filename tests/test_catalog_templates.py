"""Every visible sentence of every page comes from the gettext catalogs.

Statically: the templates hold no human text outside `_()` calls (text between tags, and the
attributes people read or hear: alt, title, aria-label, placeholder). Allowed: punctuation,
data placeholders, the brand name, and a short reviewed list.

In the browser (tests/browser/test_reflow.py): an English page shows none of the Spanish-only
sentences of the catalogs (`spanish_only_fragments`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from jinja2 import Environment

from infra.i18n import Catalog, translations_dir

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("infra", "idp", "signing", "keys", "clients.portal")
TEMPLATE_ROOTS = ("idp", "signing", "clients")

# Words that are the same in every language (names, codes, units), allowed outside `_()`.
ALLOWED_WORDS = {
    "Cédula",
    "JSON", "JWS", "PDF", "QR", "OpenAPI", "OIDC", "API", "CSV", "SVG", "PAdES", "DUI",
    "GitHub", "https", "http", "localhost", "nbsp", "mdash", "ndash", "middot", "rarr",
    "larr", "hellip", "times", "copy", "amp", "lt", "gt", "quot",
    "kid",  # the JOSE header name, as operators read it in key listings
}

# --- the Spanish-only fragments -------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([^)]*\)[sd]|<[^>]*>|&\w+;")


@cache
def catalog_texts() -> dict[str, dict[str, str]]:
    """{key: {language: text}} of every shipped catalog."""
    folders = [folder for folder in map(translations_dir, PACKAGES) if folder.is_dir()]
    return Catalog(["es", "en"]).load_all(folders).messages


@cache
def only_fragments(language: str, other: str, min_length: int = 16) -> frozenset[str]:
    """Pieces of `language`'s sentences (between placeholders, at least `min_length` characters
    with a space) that no text in `other` contains: one on an `other` page is a string not
    translated."""
    texts = catalog_texts()
    others = "\n".join(t.get(other, "") for t in texts.values())
    found = set()
    for translations in texts.values():
        text, theirs = translations.get(language, ""), translations.get(other, "")
        if not text or text == theirs:
            continue
        for piece in _PLACEHOLDER.split(text):
            piece = " ".join(piece.split()).strip(" .,:;()¿?¡!«»\"'")
            if len(piece) >= min_length and " " in piece and piece not in others:
                found.add(piece)
    return frozenset(found)


def spanish_only_fragments(min_length: int = 16) -> frozenset[str]:
    """Spanish pieces no English text contains (see `only_fragments`)."""
    return only_fragments("es", "en", min_length)


def english_only_fragments(min_length: int = 16) -> frozenset[str]:
    """English pieces no Spanish text contains: one on a Spanish page is English left there."""
    return only_fragments("en", "es", min_length)


def test_there_are_spanish_only_fragments_to_look_for():
    fragments = spanish_only_fragments()
    assert len(fragments) > 300
    assert not any(f in "\n".join(t.get("en", "") for t in catalog_texts().values()) for f in fragments)


def test_there_are_english_only_fragments_to_look_for():
    fragments = english_only_fragments()
    assert len(fragments) > 300
    assert not any(f in "\n".join(t.get("es", "") for t in catalog_texts().values()) for f in fragments)


# --- templates ------------------------------------------------------------------------------

_HIDDEN = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_HEARD = re.compile(r"\b(alt|title|aria-label|placeholder|aria-description)\s*=\s*\"([^\"]*)\"", re.I)
_WORD = re.compile(r"[^\W\d_]{2,}")


def templates() -> list[Path]:
    found = []
    for root in TEMPLATE_ROOTS:
        found += [p for p in (ROOT / root).rglob("templates/**/*.html")]
    return sorted(found)


def literal_text(source: str) -> list[str]:
    """Human text a template writes itself: the template data (outside Jinja tags) between
    HTML tags, and read-aloud attribute values, with Jinja expressions taken out."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    data = []
    for _lineno, kind, value in env.lex(source):
        data.append(value if kind == "data" else " \x00 ")
    html = _HIDDEN.sub(" ", "".join(data))
    words = []
    for _name, value in _HEARD.findall(html):
        words += _WORD.findall(value.replace("\x00", " "))
    text = _TAG.sub(" ", html)
    words += _WORD.findall(text.replace("\x00", " "))
    return [w for w in words if w not in ALLOWED_WORDS]


def test_there_are_templates_to_check():
    assert len(templates()) > 40


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_template_writes_no_human_text_outside_gettext(path):
    words = literal_text(path.read_text(encoding="utf-8"))
    assert words == [], f"{path.relative_to(ROOT)}: text not from the catalogs: {words[:12]}"


def test_literal_text_finds_text_and_ignores_calls_and_scripts():
    source = ('<p title="Hola">{{ _("a.b") }} Texto <b>{{ name }}</b></p>'
              '<script>let x = "nada";</script>{# comment #}<img alt="{{ _("c") }}">')
    assert literal_text(source) == ["Hola", "Texto"]


# --- failures say what to do next -------------------------------------------------------------

# Failures a citizen meets, whose sentence is all the page says about them.
CITIZEN_FAILURES = (
    "webauthn.error.invalid_origin", "webauthn.error.invalid_rp_id", "webauthn.error.invalid_request",
    "webauthn.error.credential_exists", "mydocs.review.failed", "account.error.not_found",
    "consent.error.no_receipt", "consent.error.not_connected", "oidc.error.unsafe", "oidc.error.client_gone",
    "error.csrf", "error.rate_limited", "error.unavailable.store", "error.unavailable.database",
    "enrol.error.too_young", "verify.input.not_pdf", "verify.input.damaged_pdf", "verify.input.file_too_large",
)
NEXT_STEP = {
    "es": ("Inténtelo", "inténtelo", "Revise", "Vuelva", "Espere", "inicie sesión", "Elija", "Use", "Recargue",
           "Abra", "comuníquese"),
    "en": ("Try", "try again", "Check", "Go back", "Wait", "sign in", "Choose", "Use", "Reload", "Open",
           "contact"),
}


@pytest.mark.parametrize("key", CITIZEN_FAILURES)
def test_a_failure_says_what_to_do_next(key):
    texts = catalog_texts()[key]
    for lang, steps in NEXT_STEP.items():
        assert any(step in texts[lang] for step in steps), f"{key} [{lang}]: {texts[lang]!r} says no next step"


# --- Spanish speaks to the citizen as «usted» ---------------------------------------------------

# Words only the familiar «tú» uses: pronouns, possessives and verb forms. Spanish pages speak to
# the citizen as «usted», as the verification pages and the PDFs do, and never mix both.
_TU_WORDS = re.compile(
    r"\b(tú|tu|tus|ti|te|contigo|tuyo|tuya|tuyos|tuyas|tienes|puedes|eres|estás|quieres|necesitas|has|vas|"
    r"sabes|debes|podrás|verás|recibirás|hayas|quieras|"
    r"inténtalo|revísalo|escríbenos|actívalo|elimínala|pídeselo|comunícate|identifícate|cuéntanos|dinos)\b",
    re.I)
# A sentence starting with a «tú» command (3rd person verbs follow their subject instead).
_TU_COMMAND = re.compile(
    r"(?:^|[.:;!?¡¿]\s+)(Escribe|Inicia|Revisa|Elige|Usa|Vuelve|Acude|Entra|Espera|Pide|Comprueba|Confirma|"
    r"Recarga|Crea|Abre|Agrega|Añade|Busca|Toca|Desmarca|Sube|Escanea|Comparte|Ve)\b")
# A level's way up, said as a command after its name: «Sustancial: recibe un código».
_TU_LEVEL_COMMAND = re.compile(r"^(?:Bajo|Sustancial|Alto): (recibe|escribe|comprueba|lleva|entra|usa)\b")
_PRETERITE_TU = re.compile(r"\b\w+(?:aste|iste)\b", re.I)
_NOT_PRETERITE = {"existe", "consiste", "insiste", "resiste", "asiste", "contraste", "desiste", "subsiste"}


# A command right after the name of a page or button: «en «Iniciar sesión» elige …».
_TU_AFTER_LABEL = re.compile(r"»,? (elige|pulsa|escribe|usa|toca|abre)\b")


def tu_forms(text: str) -> list[str]:
    found = _TU_WORDS.findall(text) + _TU_COMMAND.findall(text) + _TU_LEVEL_COMMAND.findall(text)
    found += _TU_AFTER_LABEL.findall(text)
    return found + [w for w in _PRETERITE_TU.findall(text) if w.lower() not in _NOT_PRETERITE]


def test_tu_forms_are_found_and_usted_forms_are_not():
    assert tu_forms("Revisa tu conexión e inténtalo de nuevo. Si entraste, ¿ya tienes identidad?") == [
        "tu", "inténtalo", "tienes", "Revisa", "entraste"]
    assert tu_forms("Revise su conexión e inténtelo de nuevo. Si entró, ¿ya tiene identidad? La firma existe.") == []
    assert tu_forms("Sustancial: recibe un código") == ["recibe"]
    assert tu_forms("Sustancial: reciba un código") == []
    assert tu_forms("En «Iniciar sesión» elige «Perdí mi llave»") == ["elige"]


def test_spanish_texts_speak_to_the_citizen_as_usted():
    familiar = {key: found for key, texts in catalog_texts().items() if (found := tu_forms(texts.get("es", "")))}
    assert familiar == {}, f"{len(familiar)} Spanish texts use «tú»: {sorted(familiar.items())[:15]}"


# --- one name for one place --------------------------------------------------------------------

# The office where a registrar checks a document in person had two names in each language (and
# a third in Spanish): a citizen told to go to a «punto de atención» on one page and to an
# «oficina de atención» on the next could think they are two places.
OTHER_NAMES_OF_THE_OFFICE = {"es": ("punto de atención", "oficina de registro"),
                             "en": ("service point", "registration office")}
# The same for a word: the English pages wrote both "email" and "e-mail".
OTHER_SPELLINGS = {"en": (r"\be-mail", r"\bnational id\b", r"\bid card\b")}  # identity number, identity document


@pytest.mark.parametrize("lang", sorted(OTHER_NAMES_OF_THE_OFFICE))
def test_the_service_office_has_one_name_in_each_language(lang):
    other = {key: text[lang] for key, text in catalog_texts().items()
             if any(name in text.get(lang, "").lower() for name in OTHER_NAMES_OF_THE_OFFICE[lang])}
    assert other == {}


BACK_TO_THE_ACCOUNT = ("assurance.back", "mydocs.back", "logout.sessions.back", "wallet.proofing.back")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_way_back_to_the_account_is_said_the_same_on_every_page(lang):
    assert len({catalog_texts()[key][lang] for key in BACK_TO_THE_ACCOUNT}) == 1


@pytest.mark.parametrize("lang", sorted(OTHER_SPELLINGS))
def test_a_word_is_spelled_one_way(lang):
    other = {key: text[lang] for key, text in catalog_texts().items()
             if any(re.search(spelling, text.get(lang, "").lower()) for spelling in OTHER_SPELLINGS[lang])}
    assert other == {}


# --- one name for an agency -------------------------------------------------------------------

# The citizen's pages call an agency «institución» (connected agencies, consent, the data-sharing
# log, the portals, the verification pages); the transparency page, in the same footer, and the
# verification pages said «organismo», and the operator's console both «organismo» and the
# anglicism «agencia».
STAFF_PAGES = ("operator.", "developers.", "indicators.", "registrar.")


def test_the_citizens_pages_call_an_agency_institucion():
    other = {key: text["es"] for key, text in catalog_texts().items()
             if not key.startswith(STAFF_PAGES)
             and re.search(r"\borganismos?\b|\bagencias?\b", text.get("es", ""), re.I)}
    assert other == {}


def test_the_staff_pages_call_an_agency_organismo():
    other = {key: text["es"] for key, text in catalog_texts().items()
             if key.startswith(STAFF_PAGES) and re.search(r"\bagencias?\b", text.get("es", ""), re.I)}
    assert other == {}


# --- one title for one page -------------------------------------------------------------------

_PAGE_TITLE = re.compile(r"\{%-?\s*set page_title = _\('([^']+)'")


def test_no_two_pages_share_a_title():
    """The steps of one task had one title: reclaiming an identity number said «Recuperar mi
    número de identidad» on the form, on the code step and on the refusal, and proving one's
    identity with a wallet said the same before and after; a screen reader user hearing the title
    (or a tab list) could not tell where they were (WCAG 2.4.2)."""
    users: dict[str, list[str]] = {}
    for path in templates():
        for key in _PAGE_TITLE.findall(path.read_text(encoding="utf-8")):
            users.setdefault(key, []).append(str(path.relative_to(ROOT)))
    assert len(users) > 40
    assert {key: paths for key, paths in users.items() if len(paths) > 1} == {}


# The account's sections and headings name the citizen's things in the second person, as most of
# them did («Sus datos personales», «Cerrar su cuenta»): «Mis documentos» and «Mis llaves de acceso»
# next to them read as another voice (and the demo portal says «Sus documentos»).
ACCOUNT_SECTIONS = ("account.nav.security", "account.nav.details", "account.nav.agencies", "account.nav.documents",
                    "account.nav.close", "mydocs.title", "account.passkeys.title")
FIRST_PERSON = {"es": re.compile(r"\b(mi|mis)\b", re.I), "en": re.compile(r"\bmy\b", re.I)}


@pytest.mark.parametrize("lang", sorted(FIRST_PERSON))
def test_the_account_names_the_citizens_things_in_one_voice(lang):
    texts = catalog_texts()
    assert {key: texts[key][lang] for key in ACCOUNT_SECTIONS if FIRST_PERSON[lang].search(texts[key][lang])} == {}
    assert texts["account.nav.documents"][lang] == texts["mydocs.title"][lang]


# The level of assurance has one name: the personal details page headed its section «Nivel de
# verificación de su identidad» ("How well your identity is checked") above a link to the page
# «Nivel de seguridad de su identidad» ("How strong your identity is").
SAME_NAME = [("account.details.assurance_title", "assurance.title"), ("assurance.link", "assurance.title")]


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize(("key", "name"), SAME_NAME)
def test_a_thing_has_one_name_wherever_it_is_named(lang, key, name):
    assert catalog_texts()[key][lang] == catalog_texts()[name][lang]


# --- one verb for adding a passkey -------------------------------------------------------------

# The account's button says «Agregar una llave de acceso» and most sentences «agregue», «se agregó»;
# the page for the registrar's code («Añada su nueva llave de acceso»), the signing refusal that
# sends the citizen to that button, the notice e-mails and the registrar's pages said «añadir».
_ADD_A_PASSKEY = re.compile(r"\bañad\w*(?:\s+(?!y\b)\S+){0,6}?\s+llaves?\b", re.I)


def test_adding_a_passkey_is_said_with_one_verb():
    assert _ADD_A_PASSKEY.search("Añada su nueva llave de acceso")
    assert not _ADD_A_PASSKEY.search("usted añade su correo y crea su llave de acceso")
    other = {key: text["es"] for key, text in catalog_texts().items() if _ADD_A_PASSKEY.search(text.get("es", ""))}
    assert other == {}


# --- no protocol words for citizens ------------------------------------------------------------

# A citizen reads what a thing is for, not its format: the verification page said «Credencial de
# cartera digital (SD-JWT VC)». Staff and developer pages, and the agencies' API errors, may name
# formats; file formats people download (PDF, JSON) are names they see on the file.
PROTOCOL_WORDS = re.compile(r"\b(SD-JWT|JWT|VC|client_id|redirect_uri|id_token|access token|token|nonce|"
                            r"OIDC|OAuth|PKCE|acr|amr)\b", re.I)
STAFF_OR_API = (*STAFF_PAGES, "documents.error.", "documents.type.")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_citizens_pages_use_no_protocol_words(lang):
    other = {key: text[lang] for key, text in catalog_texts().items()
             if not key.startswith(STAFF_OR_API) and PROTOCOL_WORDS.search(text.get(lang, ""))}
    assert other == {}
