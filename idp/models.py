"""Every table of the identity provider, imported here so `Base.metadata` is complete."""

from idp.account import models as account  # noqa: F401  (registers the tables)
from idp.assurance import models as assurance  # noqa: F401  (registers the tables)
from idp.audit import models as audit  # noqa: F401  (registers the tables)
from idp.citizens import models as citizens  # noqa: F401  (registers the tables)
from idp.civil_register import models as registry  # noqa: F401  (registers the tables)
from idp.consent import models as consent  # noqa: F401  (registers the tables)
from idp.documents import models as documents  # noqa: F401  (registers the tables)
from idp.oidc import models as oidc  # noqa: F401  (registers the tables)
from idp.operator import models as operator  # noqa: F401  (registers the tables)
from idp.registrar import models as registrar  # noqa: F401  (registers the tables)
from idp.tables import Base
from idp.wallet import models as wallet  # noqa: F401  (registers the tables)

__all__ = ["Base"]
