"""Tables of the agency client registry (listed by `idp.schema.SCHEMA`)."""

from clients.registry.models import Base

__all__ = ["Base"]
