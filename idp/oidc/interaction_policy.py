"""What the authorization endpoint does next, as a pure decision (OIDC Core 1.0, 3.1.2.3-3.1.2.5).

`decide` looks at the authorization request in progress, the citizen's SSO session, the consent
they already gave and the time, and returns one outcome: sign in (again), choose an account, step
up to a higher level of assurance (RFC 9470), ask for consent, issue a code, or refuse with an
OAuth error. It reads nothing and changes nothing: the view gathers the facts, then maps the
outcome to a response (node-oidc-provider's interaction policy is the model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from idp.consent import decision as consent_decision
from idp.oidc import assurance
from idp.oidc import claims as claims_module
from idp.oidc.errors import AuthorizationError
from idp.oidc.interactions import Interaction
from idp.oidc.request import AuthorizationRequest
from idp.sessions import SsoSession

# prompt=none without a signed-in citizen (OIDC Core 1.0, section 3.1.2.6): the way out.
NOT_SIGNED_IN = ("the citizen is not signed in; send the citizen to /authorize without prompt=none "
                 "so they can sign in")

@dataclass(frozen=True)
class Login:
    """Send the citizen to sign in; `reauth` keeps the SSO session and asks for a new sign-in
    made at or after `login_after` (prompt=login, max_age)."""

    reauth: bool = False
    login_after: float | None = None


@dataclass(frozen=True)
class SelectAccount:
    """prompt=select_account: continue as the signed-in citizen, or sign in as someone else."""


@dataclass(frozen=True)
class StepUp:
    """Sign in again with a passkey that reaches `level` (RFC 9470)."""

    level: str


@dataclass(frozen=True)
class Consent:
    """Ask the citizen (OIDC Core 3.1.2.4); `again` when prompt=consent asks even what was given."""

    asked: consent_decision.Asked
    standing: consent_decision.Prior | None
    again: bool


@dataclass(frozen=True)
class Issue:
    """Answer with an authorization code for `granted` only."""

    granted: frozenset[str]
    achieved: assurance.Assurance


@dataclass(frozen=True)
class Refuse:
    """Answer the client with an OAuth error (RFC 6749 4.1.2.1, OIDC Core 3.1.2.6)."""

    error: str
    description: str


Outcome = Login | SelectAccount | StepUp | Consent | Issue | Refuse


@dataclass(frozen=True)
class Facts:
    """What the decision depends on besides the request: gathered by the view."""

    achieved: assurance.Assurance | None
    """The assurance of the session's sign-in (None without a session)."""
    acr_uris: Mapping[str, str]
    subject_of: Callable[[str], str]
    """The `sub` this client sees for a citizen id (pairwise or public)."""
    reachable: Callable[[str], bool]
    """Whether the signed-in citizen could reach a level with another sign-in."""


def decide(interaction: Interaction, session: SsoSession | None,
           consent: consent_decision.Prior | None, now: float, *, facts: Facts) -> Outcome:
    """The next step of the authorization request `interaction` for `session` at `now`."""
    request = interaction.request
    prompt = set(request.prompt)
    if session is None:
        if "none" in prompt:
            return Refuse("login_required", NOT_SIGNED_IN)
        return Login()

    fresh = interaction.login_after is not None and session.auth_time >= interaction.login_after
    if not fresh and ("login" in prompt or too_old(interaction, session, now)):
        if "none" in prompt:
            return Refuse("login_required", "the sign-in is older than max_age; the citizen must sign in again")
        return Login(reauth=True, login_after=now)

    if "select_account" in prompt and not interaction.account_chosen:
        return SelectAccount()

    achieved = facts.achieved
    assert achieved is not None, "a signed-in citizen's assurance is part of the facts"
    requested = claims_module.load(request.claims)
    asked_now = asked(scopes=request.scopes, claims=requested, client_scopes=request.scopes)
    granted = None if "consent" in prompt else consent_decision.covered(consent, asked_now)
    if "none" in prompt and granted is None:
        # Before the level: a silent step-up answer (or unmet level) would tell an agency the
        # citizen does not allow how far the visitor's identity proofing and sign-in reach.
        return Refuse("consent_required", "the citizen has not yet allowed this agency to receive this data")
    try:
        assurance.enforce(interaction, achieved=achieved, claims=requested, acr_uris=facts.acr_uris,
                          reachable=facts.reachable)
    except assurance.StepUpRequired as step:
        if "none" in prompt:
            return Refuse("login_required", str(step))
        return StepUp(step.level)
    except AuthorizationError as exc:
        return Refuse(exc.error, exc.description)

    named_other = _names_another(request, requested, session, facts)
    if granted is not None:
        if named_other is not None:
            return Refuse("login_required", named_other)
        return Issue(granted, achieved)
    # prompt=none without consent was answered above, whoever the request names: a silent
    # answer that told them apart would let an agency the citizen does not (or no longer)
    # allow recognise them with an old ID token.
    if named_other is not None:
        return Refuse("login_required", named_other)
    return Consent(asked_now, consent, again="consent" in prompt)


def _names_another(request: AuthorizationRequest, requested: claims_module.ClaimsRequest,
                   session: SsoSession, facts: Facts) -> str | None:
    """Why the request names another citizen than the signed-in one (OIDC Core 3.1.2.1
    id_token_hint, 5.5.1 a `sub` value), or None."""
    wanted_sub = requested.get("id_token", {}).get("sub")
    if wanted_sub is not None and wanted_sub.value is not None \
            and wanted_sub.value != facts.subject_of(session.citizen_id):
        return "the signed-in citizen is not the subject the request names"
    if request.hint_sub is not None and request.hint_sub != facts.subject_of(session.citizen_id):
        return "the signed-in citizen is not the one id_token_hint names"
    return None


def too_old(interaction: Interaction, session: SsoSession, now: float) -> bool:
    """The sign-in is older than the request's max_age, and not the one it asked for (a sign-in
    made at or after `login_after` counts as fresh). Checked again when the citizen answers the
    consent page: max_age holds until the code is issued."""
    max_age = interaction.request.max_age
    fresh = interaction.login_after is not None and session.auth_time >= interaction.login_after
    return not fresh and max_age is not None and now - session.auth_time > max_age


def level_holds(interaction: Interaction, achieved: assurance.Assurance, acr_uris: Mapping[str, str]) -> bool:
    """The sign-in still reaches what the request asks for (acr_values, OIDC Core 3.1.2.1; an
    essential acr claim, 5.5.1.1). Checked again when the citizen answers the consent page: the
    level may have fallen since it was shown (proofing reset, a passkey model reported)."""
    acr_values, essential = claims_module.essential_acr(claims_module.load(interaction.request.claims))
    try:
        assurance.require(requested=interaction.request.acr_values, essential=False, achieved=achieved,
                          acr_uris=acr_uris)
        assurance.require(requested=acr_values, essential=essential, achieved=achieved, acr_uris=acr_uris)
    except AuthorizationError:
        return False
    return True


def asked(*, scopes: Iterable[str], claims: claims_module.ClaimsRequest,
          client_scopes: Iterable[str]) -> consent_decision.Asked:
    """What a request asks the citizen to share (OIDC Core 5.4, 5.5): `sub`, the citizen claims
    its scopes and `claims` parameter name (essential ones required, 5.5.1), then `offline_access`."""
    scopes = list(scopes)
    names = claims_module.requested_citizen_claims(scopes=scopes, claims=claims, client_scopes=client_scopes)
    offline = (claims_module.OFFLINE,) if claims_module.OFFLINE in scopes else ()
    return consent_decision.Asked(items=(consent_decision.SUB, *names, *offline),
                                  essential=claims_module.essential_names(claims) & set(names))
