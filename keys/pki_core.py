"""The document PKI's core: its CA and service certificates parsed once per process and
refreshed through the "pki" generation counter, the URLs certificates point to, and the
issuance of one certificate (RFC 5280 profiles) that every other part of the PKI uses."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from asn1crypto import x509 as asn1_x509
from sqlalchemy.orm import Session

from keys import x509
from keys.algorithms import KeyAlgorithm
from keys.custody import Custody
from keys.errors import PkiNotInitialised
from keys.models import Certificate, StoredKey
from keys.pki_material import CA_NAMES, GENERATION, SERVICE_NAMES, Authority, PkiMaterial, distribution_url, stored_key
from keys.pki_material import authority as load_authority
from keys.pki_settings import checked_algorithms


class PkiCore:
    def __init__(self, custody: Custody, settings: Mapping[str, Any], issuer_url: str) -> None:
        self.custody = custody
        self.section = settings["pki"]
        self.base_url = distribution_url(issuer_url, str(self.section.get("distribution_url", "")))
        self.refresh = float(settings["keys"]["refresh_seconds"])
        self._material: PkiMaterial | None = None
        self._checked = 0.0
        self._generation: tuple[int, str] = (-1, "")
        self._lock = threading.Lock()
        self._crl_lock = threading.Lock()
        self.ca_algorithm, self.leaf_algorithm = checked_algorithms(settings)

    # material ----------------------------------------------------------------------------

    def material(self) -> PkiMaterial:
        """The CA and service certificates, parsed once; `PkiNotInitialised` before init."""
        if self._material is not None and time.monotonic() - self._checked < self.refresh:
            return self._material
        with self._lock:
            generation = self.custody.generation(GENERATION)
            if self._material is None or generation != self._generation:
                self._material = self._load()
                self._generation = generation
            self._checked = time.monotonic()
            return self._material

    def invalidate(self) -> None:
        """Forget the cached material (the next call reads the database)."""
        self._material = None
        self._checked = 0.0

    def initialised(self) -> bool:
        try:
            self.material()
        except PkiNotInitialised:
            return False
        return True

    def _load(self) -> PkiMaterial:
        with self.custody.database.read() as session:
            rows = session.execute(
                sa.select(Certificate, StoredKey).join(StoredKey, StoredKey.id == Certificate.key_id)
                .where(Certificate.name.in_(CA_NAMES + SERVICE_NAMES))
            ).all()
            found = {cert.name: load_authority(cert, stored) for cert, stored in rows}
        if set(found) != set(CA_NAMES + SERVICE_NAMES):
            raise PkiNotInitialised("the document PKI does not exist yet: run `cedula pki init`")
        return PkiMaterial(**found)

    def url(self, kind: str, name: str = "") -> str:
        return {"ca": f"{self.base_url}/ca/{name}.cer", "crl": f"{self.base_url}/crl/{name}.crl",
                "ocsp": f"{self.base_url}/ocsp"}[kind]

    def signer_of(self, authority: Authority, *, publish: bool = True) -> x509.Issuer:
        """The issuing side of `authority` for certificates and CRLs."""
        cert = authority.certificate
        return x509.Issuer(
            subject=cert.subject, key_identifier=cert.key_identifier or b"",
            algorithm=authority.algorithm,
            sign=lambda data: self.custody.sign(authority.key, data),
            ca_issuers_url=self.url("ca", authority.name) if publish else None,
            # The root answers no OCSP (its key stays offline): its CRL is the only source.
            ocsp_url=self.url("ocsp") if publish and authority.name != "root" else None,
            crl_url=self.url("crl", authority.name) if publish else None,
        )


    def _subject(self, common_name: str) -> asn1_x509.Name:
        return x509.name(country_name=str(self.section["country"]),
                         organization_name=str(self.section["organization"]),
                         common_name=common_name)


    def _issue(self, session: Session, *, now: datetime, role: str, name: str | None,
               issuer: Authority | None, subject: asn1_x509.Name, lifetime: timedelta,
               alg: KeyAlgorithm, extensions: list[dict[str, Any]], client_id: str | None = None
               ) -> Authority:
        ref = self.custody.new_key(session, purpose=role, algorithm=alg)
        stored = stored_key(session, ref.key_id)
        not_before = now.replace(microsecond=0) - timedelta(minutes=5)  # clock skew
        not_after = now.replace(microsecond=0) + lifetime
        if issuer is not None:  # never outlive the issuer (RFC 5280, 6.1.3 (a)(2))
            not_after = min(not_after, issuer.certificate.not_valid_after)
        serial = x509.new_serial()
        if issuer is None:
            signing = x509.Issuer(subject=subject, key_identifier=b"", algorithm=alg,
                                  sign=lambda data: self.custody.sign(ref, data),
                                  ca_issuers_url=None, ocsp_url=None, crl_url=None)
        else:
            signing = self.signer_of(issuer)
        cert = x509.issue(issuer=signing, subject=subject, subject_public_key=stored.public_key,
                          serial=serial, not_before=not_before, not_after=not_after,
                          extensions=extensions, self_signed=issuer is None)
        row = Certificate(serial=x509.serial_hex(serial), role=role,
                          issuer=issuer.name if issuer else "root", name=name,
                          subject=cert.subject.human_friendly, client_id=client_id,
                          key_id=ref.key_id, der=cert.dump(), not_before=not_before,
                          not_after=not_after, created_at=now)
        session.add(row)
        session.flush()
        return load_authority(row, stored)


    def chain(self) -> tuple[asn1_x509.Certificate, ...]:
        material = self.material()
        return (material.issuing.certificate, material.root.certificate)



__all__ = ["PkiCore"]
