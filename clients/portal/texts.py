"""The portal's few sentences, in Spanish and English."""

from __future__ import annotations

from flask import request

from infra.i18n.catalog import Catalog, translations_dir

TEXTS = {
    "es": {
        "signin": "Entrar con Cédula",
        "signin_intro": "Para continuar, identifícate con tu identidad digital Cédula.",
        "signed_in_as": "Has entrado como",
        "claims": "Datos que recibió esta institución",
        "claim": "Dato",
        "value": "Valor",
        "signout": "Cerrar sesión",
        "signed_out": "Tu sesión en este portal terminó.",
        "denied": "No autorizaste compartir tus datos, así que no entraste. Puedes intentarlo de nuevo.",
        "error": "No pudimos completar la entrada",
        "back": "Volver al inicio",
        "documents": "Tus documentos",
        "issue_birth": "Pedir mi partida de nacimiento",
        "issued": "Tu documento fue emitido. Código de verificación:",
        "verify_link": "Verificar el documento",
    },
    "en": {
        "signin": "Sign in with Cédula",
        "signin_intro": "To continue, identify yourself with your Cédula digital identity.",
        "signed_in_as": "Signed in as",
        "claims": "Data this agency received",
        "claim": "Item",
        "value": "Value",
        "signout": "Sign out",
        "signed_out": "Your session on this portal has ended.",
        "denied": "You did not allow sharing your data, so you were not signed in. You can try again.",
        "error": "We could not complete the sign-in",
        "back": "Back to the start page",
        "documents": "Your documents",
        "issue_birth": "Request my birth certificate",
        "issued": "Your document was issued. Verification code:",
        "verify_link": "Verify the document",
    },
}


def _catalog() -> None:
    """Merge the portal's gettext catalogs (clients/portal/translations) into TEXTS."""
    catalog = Catalog(list(TEXTS)).load_all([translations_dir("clients.portal")])
    for key, translations in catalog.messages.items():
        for lang, sentence in translations.items():
            TEXTS[lang][key] = sentence


_catalog()


def language() -> str:
    return request.accept_languages.best_match(["es", "en"]) or "es"


def text(key: str) -> str:
    return TEXTS[language()][key]


def text_in(lang: str, key: str) -> str:
    return TEXTS[lang][key]
