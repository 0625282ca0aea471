"""A demo agency portal: a small OpenID Connect relying party, run once per demo agency."""

from clients.portal.app import create_portal
from clients.portal.config import PortalConfig, from_environment

__all__ = ["PortalConfig", "create_portal", "from_environment"]
