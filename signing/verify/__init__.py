"""Verification of signed PDFs for anyone: by code (CSV), by upload, by API and on the command
line. Indications per ETSI EN 319 102-1; pyHanko does the validation.

Public surface: `Verifier` (`validation`), `read_pdf` (`reading`), the report model (`report`),
`VerificationService`/`get_verification` (`service`), `revoke`/`supersede` (`document_revocation`).
"""
