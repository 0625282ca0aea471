"""Every table of the identity provider, imported here so `Base.metadata` is complete."""

from idp.db import Base

__all__ = ["Base"]
