"""Tables of the agency client registry (imported by `idp.db.all_metadata`)."""

from clients.registry.models import Base

__all__ = ["Base"]
