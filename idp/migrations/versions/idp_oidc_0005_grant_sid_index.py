"""OpenID Provider: grants lose their index on `sid` (one B-tree fewer to write per /token).

Its one query, the agencies a citizen signed in to through some sessions
(`idp.logout.backchannel.agencies_by_sid`), also names the citizen: `ix_oidc_grants_citizen_client`
finds its rows (issue 16).
"""

from alembic import op

revision = "idp_oidc_0005"
down_revision = "idp_audit_0003"


def upgrade() -> None:
    op.drop_index("ix_oidc_grants_sid", table_name="oidc_grants")


def downgrade() -> None:
    op.create_index("ix_oidc_grants_sid", "oidc_grants", ["sid"])
