"""The platform layer every Cédula package may import, and that knows no domain concept.

Settings, the database, the ephemeral store, secrets, web plumbing (errors, CSRF, limits,
headers, JSON bodies), i18n, operations (logging, metrics, health) and the guarded outbound
HTTP client. `idp`, `signing`, `keys` and `clients` build on it; it imports none of them.
"""
