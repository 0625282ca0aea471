"""`standing.for_purpose` decides whether a page shows a language's variant of the purpose
(a member `purpose#<tag>`) by one search of the members' names: the same answer as looking at
them one by one, whatever else the names hold."""

from __future__ import annotations

from idp.oidc.standing import _tagged_purpose, for_purpose


def test_a_tagged_variant_is_found_only_at_the_start_of_a_name():
    assert _tagged_purpose({"client_name": "Registro", "purpose#en": "Paperwork"})
    assert _tagged_purpose({"purpose#": "", "scope": "openid"})
    assert not _tagged_purpose({"client_name": "Registro", "purpose": "Trámites"})
    assert not _tagged_purpose({})
    # "purpose#" inside a name, or across two names joined, is no variant.
    assert not _tagged_purpose({"x_purpose#en": "a", "note": "purpose#en"})
    assert not _tagged_purpose({"a\npurpose": "x", "#en": "y"})
    assert not _tagged_purpose({"client\npurpose#en": "x"})
    assert _tagged_purpose({"client\npurpose#en": "x", "purpose#es": "y"})
    # A name that is not text (never in stored metadata) is looked at as before, not a crash.
    assert not _tagged_purpose({1: "x", "purpose": "y"})
    assert _tagged_purpose({1: "x", "purpose#en": "y"})


def test_the_untagged_purpose_still_decides_when_no_name_is_a_variant():
    declared = {"purpose": "Trámites", "x_purpose#en": "Paperwork", "client\npurpose#en": "Other"}
    assert for_purpose("Trámites", declared)
    assert not for_purpose("Paperwork", declared) and not for_purpose("Other", declared)
