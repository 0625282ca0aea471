"""Levels of assurance: passkey attestation facts, identity proofing, documents checked,
registrars and their audit trail, the imported civil register.
"""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC, foreign_key

revision = "idp_assurance_0001"
down_revision = "idp_consent_0001"


def upgrade() -> None:
    op.create_table(
        "assurance_passkeys",
        sa.Column("passkey_id", sa.Integer(), nullable=False),
        sa.Column("attestation_trusted", sa.Boolean(), nullable=False),
        sa.Column("authenticator_level", sa.String(16), nullable=False),
        sa.Column("uv_method", sa.String(8), nullable=True),
        sa.Column("description", sa.String(200), nullable=True),
        sa.Column("recorded_at", UTC, nullable=False),
        foreign_key("assurance_passkeys", "passkey_id", "passkeys.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("passkey_id", name=op.f("pk_assurance_passkeys")),
    )
    op.create_table(
        "identity_proofing",
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        foreign_key("identity_proofing", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("citizen_id", name=op.f("pk_identity_proofing")),
    )
    op.create_table(
        "identity_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("document_type", sa.String(32), nullable=False),
        sa.Column("document_number", sa.String(64), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("checked_at", UTC, nullable=False),
        sa.Column("checked_by", sa.Uuid(), nullable=True),
        sa.Column("service_point", sa.String(100), nullable=False),
        foreign_key("identity_documents", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_documents")),
    )
    op.create_index(op.f("ix_identity_documents_citizen_id"), "identity_documents", ["citizen_id"])
    op.create_table(
        "registrars",
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("service_point", sa.String(100), nullable=False),
        sa.Column("granted_at", UTC, nullable=False),
        sa.Column("granted_by", sa.String(100), nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        foreign_key("registrars", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("citizen_id", name=op.f("pk_registrars")),
    )
    op.create_table(
        "registrar_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("service_point", sa.String(100), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrar_audit")),
    )
    op.create_index(op.f("ix_registrar_audit_at"), "registrar_audit", ["at"])
    op.create_index(op.f("ix_registrar_audit_citizen_id"), "registrar_audit", ["citizen_id"])
    op.create_table(
        "registry_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("national_id_scheme", sa.String(40), nullable=False),
        sa.Column("national_id", sa.String(64), nullable=False),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("birthdate", sa.Date(), nullable=False),
        sa.Column("imported_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_records")),
        sa.UniqueConstraint("national_id_scheme", "national_id",
                            name="uq_registry_records_national_id"),
    )


def downgrade() -> None:
    op.drop_table("registry_records")
    op.drop_index(op.f("ix_registrar_audit_citizen_id"), table_name="registrar_audit")
    op.drop_index(op.f("ix_registrar_audit_at"), table_name="registrar_audit")
    op.drop_table("registrar_audit")
    op.drop_table("registrars")
    op.drop_index(op.f("ix_identity_documents_citizen_id"), table_name="identity_documents")
    op.drop_table("identity_documents")
    op.drop_table("identity_proofing")
    op.drop_table("assurance_passkeys")
