"""Names and purposes an agency registers (crossatk4, the cross-language purpose trick): the
bidirectional controls and the invisible format characters (category Cf) were refused, but
characters that show nothing while being letters or marks were not: the Hangul fillers, the
braille blank, the combining grapheme joiner, Khmer's inherent vowels, stray variation
selectors. "Agencia\u3164Tributaria" shows as "Agencia Tributaria" on the consent page
and compares different from it; a stack of combining marks paints over the lines around it
(the purpose, the claims asked for). Both are refused; the scripts that need marks and
selectors (accents, Vietnamese, emoji) keep working."""

from __future__ import annotations

import pytest

from clients.registry.metadata import ClientMetadataError, Permissions, validate_metadata

BASE = {"redirect_uris": ["https://agency.example/cb"], "client_name": "Agencia Tributaria"}
HIDDEN = {
    "hangul filler": "Agencia\u3164Tributaria",
    "halfwidth hangul filler": "Agencia\uffa0Tributaria",
    "hangul choseong filler": "Agencia\u115fTributaria",
    "hangul jungseong filler": "Agencia\u1160Tributaria",
    "braille blank": "Agencia\u2800Tributaria",
    "combining grapheme joiner": "Agen\u034fcia Tributaria",
    "khmer inherent vowel": "Agencia\u17b4 Tributaria",
    "variation selector on a letter": "Agen\ufe0fcia Tributaria",
    "variation selector supplement": "Agencia\U000e0100 Tributaria",
    "mongolian variation selector": "Agencia\u180b Tributaria",
    "combining stack": "Agencia" + "\u0336" * 8 + " Tributaria",
}
SHOWN = ["Agencia Tributaria", "Dirección General de Migración", "Bộ Tư pháp Việt Nam",
         "Ministerio de Salud \u2764\ufe0f", "\u0939\u093f\u0902\u0926\u0940 \u0938\u0947\u0935\u093e"]


@pytest.mark.parametrize("field", ["client_name", "purpose", "purpose#en"])
@pytest.mark.parametrize("kind", sorted(HIDDEN))
def test_a_text_with_letters_that_show_nothing_is_refused(field, kind):
    with pytest.raises(ClientMetadataError) as refused:
        validate_metadata({**BASE, field: HIDDEN[kind]}, Permissions())
    assert refused.value.field == field.split("#")[0] or refused.value.field == field
    assert "invisible" in str(refused.value)


@pytest.mark.parametrize("field", ["client_name", "purpose#es"])
@pytest.mark.parametrize("text", SHOWN)
def test_scripts_that_need_marks_and_selectors_are_accepted(field, text):
    assert validate_metadata({**BASE, field: text}, Permissions())[field] == text


def test_a_selector_at_the_start_is_refused_not_a_crash():
    with pytest.raises(ClientMetadataError):
        validate_metadata({**BASE, "client_name": "\ufe0fAgencia"}, Permissions())
