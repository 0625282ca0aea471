"""What citizens, agencies and verifiers do, over HTTP, against any running provider.

Shared by the cluster's fault tests (tests/cluster) and the load test (bench/locustfile.py):
passkey enrolment and sign-in with the software authenticator, authorization with remembered
consent, token, userinfo, refresh, documents issued with an Idempotency-Key, verification.
Every answer is recorded in a `Ledger` (status, which node answered), and what the provider
acknowledged (sessions, grants, documents) is remembered so that it can be checked afterwards.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from tests.cluster.topology import LOOPBACK, REDIRECT
from tests.signing.samples import RESIDENCE
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.national_ids import dui

NODE_HEADER = "Cedula-Node"


class JourneyError(RuntimeError):
    """A step got an answer other than the expected one."""

    def __init__(self, step: str, response: requests.Response | None, detail: str = "") -> None:
        self.step = step
        self.status = response.status_code if response is not None else None
        text = response.text[:300] if response is not None else detail
        super().__init__(f"{step}: {self.status} {text}")


@dataclass
class Answer:
    step: str
    status: int | None  # None: no answer (connection failed)
    node: str | None
    retry_after: str | None = None
    request: str = ""  # "POST /token", to find the request again when it went wrong
    request_id: str | None = None  # X-Request-Id, as in the node's access log
    detail: str = ""  # the start of the body of a 5xx, or the connection error


@dataclass
class Ledger:
    """Every request sent and how it was answered; what was acknowledged."""

    answers: list[Answer] = field(default_factory=list)
    sessions: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # citizen, cookies
    grants: list[tuple[str, str]] = field(default_factory=list)  # citizen sub, refresh token
    documents: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> document id
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    @property
    def sent(self) -> int:
        return len(self.answers)

    def statuses(self) -> Counter[int | None]:
        return Counter(a.status for a in self.answers)

    def nodes(self) -> Counter[str | None]:
        return Counter(a.node for a in self.answers)

    def with_status(self, status: int | None) -> list[Answer]:
        with self.lock:
            return [a for a in self.answers if a.status == status]


class Provider:
    """An HTTP client for one provider (base URL on loopback, Host of the issuer)."""

    def __init__(self, base_url: str, issuer: str, ledger: Ledger | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.issuer = issuer
        self.ledger = ledger if ledger is not None else Ledger()

    def browser(self) -> requests.Session:
        session = requests.Session()
        session.headers["Host"] = urlsplit(self.issuer).netloc
        return session

    def send(self, session: requests.Session, step: str, method: str, path: str, *,
             expect: tuple[int, ...] = (200,), **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        if method == "POST":
            kwargs.setdefault("headers", {}).setdefault("Origin", self.issuer)
        request = f"{method} {path.split('?', 1)[0]}"
        try:
            response = session.request(method, self.base_url + path, **kwargs)
        except requests.RequestException as exc:
            self.ledger.add(Answer(step, None, None, request=request, detail=str(exc)[:300]))
            raise JourneyError(step, None, str(exc)) from None
        self.ledger.add(Answer(step, response.status_code, response.headers.get(NODE_HEADER),
                               response.headers.get("Retry-After"), request=request,
                               request_id=response.headers.get("X-Request-Id"),
                               detail=response.text[:300] if response.status_code >= 500 else ""))
        if response.status_code not in expect:
            raise JourneyError(step, response)
        return response


@dataclass
class Citizen:
    provider: Provider
    number: int
    key: SoftwareAuthenticator = field(init=False)
    browser: requests.Session = field(init=False)
    sub: str = ""
    consented: bool = False

    def __post_init__(self) -> None:
        self.key = SoftwareAuthenticator(origin=self.provider.issuer, rp_id="localhost")
        self.browser = self.provider.browser()

    def enrol(self) -> None:
        p = self.provider
        fields = {"given_name": "Ana María", "family_name": f"López {self.number}",
                  "birthdate": "1990-05-17", "national_id": dui(self.number),
                  "email": f"ana{self.number}@example.sv"}
        options = p.send(self.browser, "enrol options", "POST", "/webauthn/registration/options", json=fields)
        p.send(self.browser, "enrol verify", "POST", "/webauthn/registration/verify",
               json=self.key.register(options.json()))
        self._acknowledge()

    def sign_in(self) -> None:
        """A fresh browser signs in with the passkey (options on one node, verify on another)."""
        p = self.provider
        self.browser = p.browser()
        options = p.send(self.browser, "sign-in options", "POST", "/webauthn/authentication/options", json={})
        p.send(self.browser, "sign-in verify", "POST", "/webauthn/authentication/verify",
               json=self.key.authenticate(options.json()))
        self._acknowledge()

    def _acknowledge(self) -> None:
        with self.provider.ledger.lock:
            self.provider.ledger.sessions.append((dui(self.number), dict(self.browser.cookies)))

    def authorize(self, agency, *, scope: str = "openid profile offline_access") -> tuple[str, str]:
        """The code and verifier for the agency; the decision page only the first time."""
        p = self.provider
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode({"response_type": "code", "client_id": agency.client_id, "redirect_uri": REDIRECT,
                           "scope": scope, "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8),
                           "code_challenge": challenge, "code_challenge_method": "S256"})
        response = p.send(self.browser, "authorize", "GET", f"/authorize?{query}", expect=(200, 302, 303))
        for _ in range(5):
            if response.status_code == 200:
                response = self._decide(response)
                continue
            location = response.headers["Location"]
            if location.startswith(REDIRECT):
                found = parse_qs(urlsplit(location).query)
                if "code" not in found:
                    raise JourneyError("authorize", response, location)
                return found["code"][0], verifier
            parts = urlsplit(location)
            response = p.send(self.browser, "authorize", "GET",
                              parts.path + (f"?{parts.query}" if parts.query else ""), expect=(200, 302, 303))
        raise JourneyError("authorize", response, "too many redirects")

    def _decide(self, page: requests.Response) -> requests.Response:
        html = page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        interaction = re.search(r'name="interaction" value="([^"]+)"', html)
        if token is None or interaction is None:
            raise JourneyError("consent page", page, "not the decision page")
        ticked = re.findall(r'name="claim" value="([^"]+)" checked', html)
        self.consented = True
        return self.provider.send(self.browser, "consent", "POST", "/authorize/decision", expect=(302, 303),
                                  data={"csrf_token": token.group(1), "interaction": interaction.group(1),
                                        "decision": "allow", "claim": ticked})

    def tokens(self, agency, code: str, verifier: str) -> dict:
        response = self.provider.send(
            requests.Session(), "token", "POST", "/token", auth=(agency.client_id, agency.secret),
            headers={"Host": urlsplit(self.provider.issuer).netloc},
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                  "code_verifier": verifier})
        tokens = response.json()
        payload = tokens["id_token"].split(".")[1]
        import json

        self.sub = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]
        if "refresh_token" in tokens:
            with self.provider.ledger.lock:
                self.provider.ledger.grants.append((self.sub, tokens["refresh_token"]))
        return tokens

    def userinfo(self, access_token: str) -> dict:
        return self.provider.send(self.provider.browser(), "userinfo", "GET", "/userinfo",
                                  headers={"Authorization": f"Bearer {access_token}"}).json()

    def refresh(self, agency, refresh_token: str) -> dict:
        response = self.provider.send(
            self.provider.browser(), "refresh", "POST", "/token", auth=(agency.client_id, agency.secret),
            data={"grant_type": "refresh_token", "refresh_token": refresh_token})
        tokens = response.json()
        with self.provider.ledger.lock:
            ledger = self.provider.ledger
            ledger.grants = [(s, tokens["refresh_token"] if t == refresh_token else t) for s, t in ledger.grants]
        return tokens

    def sign_in_to_agency(self, agency) -> dict:
        """Authorize (consent remembered after the first time), token, userinfo."""
        code, verifier = self.authorize(agency)
        tokens = self.tokens(agency, code, verifier)
        self.userinfo(tokens["access_token"])
        return tokens


class AgencyClient:
    """The agency's back end: client credentials, documents with an Idempotency-Key."""

    def __init__(self, provider: Provider, agency) -> None:
        self.provider = provider
        self.agency = agency
        self._token = ""

    def token(self) -> str:
        if not self._token:
            response = self.provider.send(
                self.provider.browser(), "client credentials", "POST", "/token",
                auth=(self.agency.client_id, self.agency.secret), data={"grant_type": "client_credentials"})
            self._token = response.json()["access_token"]
        return self._token

    def issue(self, subject: str, *, key: str | None = None, level: str = "B-B",
              base_url: str | None = None) -> dict:
        """Issue a residence certificate; retried with the same key until it is answered."""
        key = key or str(uuid.uuid4())
        body = {"template": "residence", "subject": subject, "data": RESIDENCE, "level": level}
        response = self.provider.send(
            self.provider.browser(), "issue document", "POST", "/api/documents", expect=(201,), json=body,
            headers={"Authorization": f"Bearer {self.token()}", "Idempotency-Key": key})
        document = response.json()
        with self.provider.ledger.lock:
            self.provider.ledger.documents[key] = document["id"]
        return document


def verify(provider: Provider, csv: str) -> dict:
    """A verifier looks the document up by its code."""
    return provider.send(provider.browser(), "verify", "GET", f"/api/verify/{csv}").json()


def loopback(url: str) -> bool:
    return urlsplit(url).hostname == LOOPBACK
