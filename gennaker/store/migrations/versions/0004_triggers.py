"""Triggers: the event log, once-per-event starts, pollers' and the scheduler's state, the scheduling lease.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "trigger_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_key", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("received_ts", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("payload", JSON, nullable=True),
        sa.Column("outcomes", JSON, nullable=False),
        sa.Column("started", sa.Integer(), nullable=False),
        sa.Column("handled_by", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_trigger_events_key", "trigger_events", ["event_key"])
    op.create_index("ix_trigger_events_type_ts", "trigger_events", ["type", "received_ts"])
    op.create_table(
        "trigger_starts",
        sa.Column("event_key", sa.String(length=255), nullable=False),
        sa.Column("pipeline_config_id", sa.String(length=64), nullable=False),
        sa.Column("execution_id", sa.String(length=64), nullable=False),
        sa.Column("started_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_key", "pipeline_config_id"),
    )
    op.create_table(
        "trigger_state",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("updated_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "trigger_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("expires_ts", sa.BigInteger(), nullable=False),
        sa.Column("acquired_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("trigger_leases")
    op.drop_table("trigger_state")
    op.drop_table("trigger_starts")
    op.drop_index("ix_trigger_events_type_ts", table_name="trigger_events")
    op.drop_index("ix_trigger_events_key", table_name="trigger_events")
    op.drop_table("trigger_events")
