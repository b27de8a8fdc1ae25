"""Initial schema: applications, pipeline configs and versions, executions, stages, queue, audit log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 20:01:47.744600
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('applications',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_ts', sa.BigInteger(), nullable=False),
    sa.Column('updated_ts', sa.BigInteger(), nullable=False),
    sa.Column('updated_by', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('ts', sa.BigInteger(), nullable=False),
    sa.Column('principal', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.String(length=255), nullable=False),
    sa.Column('application', sa.String(length=255), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_audit_app_ts', 'audit_log', ['application', 'ts'], unique=False)
    op.create_index('ix_audit_target', 'audit_log', ['target_type', 'target_id'], unique=False)
    op.create_table('executions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('application', sa.String(length=255), nullable=False),
    sa.Column('pipeline_config_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('build_time', sa.BigInteger(), nullable=False),
    sa.Column('start_time', sa.BigInteger(), nullable=True),
    sa.Column('end_time', sa.BigInteger(), nullable=True),
    sa.Column('start_time_expiry', sa.BigInteger(), nullable=True),
    sa.Column('canceled', sa.Boolean(), nullable=False),
    sa.Column('canceled_by', sa.String(length=255), nullable=True),
    sa.Column('cancellation_reason', sa.Text(), nullable=True),
    sa.Column('limit_concurrent', sa.Boolean(), nullable=False),
    sa.Column('max_concurrent_executions', sa.Integer(), nullable=False),
    sa.Column('keep_waiting_pipelines', sa.Boolean(), nullable=False),
    sa.Column('waiting', sa.Boolean(), nullable=False),
    sa.Column('trigger', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('paused', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('pause_intervals', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_executions_app_build', 'executions', ['application', 'build_time'], unique=False)
    op.create_index('ix_executions_config_status', 'executions', ['pipeline_config_id', 'status'], unique=False)
    op.create_table('pipeline_config_versions',
    sa.Column('config_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('application', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('saved_ts', sa.BigInteger(), nullable=False),
    sa.Column('saved_by', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('config_id', 'version')
    )
    op.create_table('pipeline_configs',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('application', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_ts', sa.BigInteger(), nullable=False),
    sa.Column('updated_by', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application', 'name', name='uq_pipeline_configs_app_name')
    )
    op.create_table('queue',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('execution_id', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('deliver_at', sa.BigInteger(), nullable=False),
    sa.Column('lease_owner', sa.String(length=128), nullable=True),
    sa.Column('lease_token', sa.String(length=64), nullable=True),
    sa.Column('lease_expires', sa.BigInteger(), nullable=True),
    sa.Column('again_at', sa.BigInteger(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_ts', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('fingerprint')
    )
    op.create_index('ix_queue_deliver', 'queue', ['deliver_at'], unique=False)
    op.create_index('ix_queue_execution', 'queue', ['execution_id'], unique=False)
    op.create_table('stages',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('execution_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('ref_id', sa.String(length=255), nullable=True),
    sa.Column('type', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('start_time', sa.BigInteger(), nullable=True),
    sa.Column('end_time', sa.BigInteger(), nullable=True),
    sa.Column('start_time_expiry', sa.BigInteger(), nullable=True),
    sa.Column('scheduled_time', sa.BigInteger(), nullable=True),
    sa.Column('parent_stage_id', sa.String(length=64), nullable=True),
    sa.Column('synthetic_stage_owner', sa.String(length=16), nullable=True),
    sa.Column('requisite_stage_ref_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('downstream_ref_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('context', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('outputs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('tasks', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('last_modified', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('initial_context', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_stages_execution', 'stages', ['execution_id', 'seq'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_stages_execution', table_name='stages')
    op.drop_table('stages')
    op.drop_index('ix_queue_execution', table_name='queue')
    op.drop_index('ix_queue_deliver', table_name='queue')
    op.drop_table('queue')
    op.drop_table('pipeline_configs')
    op.drop_table('pipeline_config_versions')
    op.drop_index('ix_executions_config_status', table_name='executions')
    op.drop_index('ix_executions_app_build', table_name='executions')
    op.drop_table('executions')
    op.drop_index('ix_audit_target', table_name='audit_log')
    op.drop_index('ix_audit_app_ts', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_table('applications')
