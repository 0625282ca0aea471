"""Documents: templates, PAdES sealing and citizen signatures, verification."""

__all__: list[str] = []
