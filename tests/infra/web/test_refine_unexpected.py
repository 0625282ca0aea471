"""One home for unexpected errors (infra/web/errors.py): a package refines an error of a
library's class into the answer it means (`refine_unexpected`) instead of registering a handler
of its own for that class, which would shadow infra's handling of every other error of it; what
no refinement recognises stays a 500 without internals."""

from __future__ import annotations

import sqlalchemy as sa

from idp.consent import services as consent_services
from infra.web.errors import REFINEMENTS, json_error, refine_unexpected


class _Recognised(LookupError):
    pass


def _answer(app, exc: Exception):
    """What the application answers when a view of an API raises `exc` (Flask's own dispatch)."""
    with app.test_request_context("/api/anything", headers={"Accept": "application/json"}):
        try:
            raise exc
        except Exception as raised:
            return app.make_response(app.handle_user_exception(raised))


def test_a_refinement_answers_what_it_recognises_and_leaves_the_rest_a_500(fresh_app):
    seen: list[Exception] = []

    def refinement(exc: Exception):
        seen.append(exc)
        return json_error(409, "conflict", "refined") if isinstance(exc, _Recognised) else None

    refine_unexpected(fresh_app, LookupError, refinement)
    try:
        refined = _answer(fresh_app, _Recognised("the refinement knows this one"))
        unrefined = _answer(fresh_app, LookupError("nobody knows this one"))
        _answer(fresh_app, ValueError("not of the refined kind"))
    finally:
        REFINEMENTS.of(fresh_app).remove((LookupError, refinement))
    assert (refined.status_code, refined.get_json()["error"]) == (409, "conflict")
    assert unrefined.status_code == 500
    assert unrefined.get_json()["error"] == "server_error"
    assert "nobody knows" not in unrefined.get_data(as_text=True)
    assert [type(exc) for exc in seen] == [_Recognised, LookupError]


def test_a_release_refused_by_the_database_is_a_400_of_consent_and_any_other_integrity_error_a_500(
        fresh_app, monkeypatch):
    def integrity() -> sa.exc.IntegrityError:
        return sa.exc.IntegrityError("INSERT INTO audit_log ...", {}, Exception("NOT NULL constraint failed"))

    monkeypatch.setattr(consent_services, "not_in_force", lambda error: True)
    refused = _answer(fresh_app, integrity())
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert refused.get_json()["error"] == "invalid_grant"
    assert "no longer in force" in refused.get_json()["error_description"]
    monkeypatch.setattr(consent_services, "not_in_force", lambda error: False)
    other = _answer(fresh_app, integrity())
    assert other.status_code == 500
    assert other.get_json()["error"] == "server_error"
    assert "INSERT" not in other.get_data(as_text=True)
