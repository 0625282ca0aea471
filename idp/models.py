"""Every table of the identity provider, imported here so `Base.metadata` is complete."""

from idp.citizens import models as citizens  # noqa: F401  (registers the tables)
from idp.db import Base
from idp.oidc import models as oidc  # noqa: F401  (registers the tables)

__all__ = ["Base"]
