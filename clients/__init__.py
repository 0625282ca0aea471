"""Agency clients: the registry and the demo agency portals (relying parties over HTTP)."""

__all__: list[str] = []
