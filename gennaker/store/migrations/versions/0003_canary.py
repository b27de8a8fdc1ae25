"""Canary configs (with history and applications) and canary runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 20:22:44.902179
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

def upgrade() -> None:

    op.create_table('canary_config_applications',
    sa.Column('config_id', sa.String(length=64), nullable=False),
    sa.Column('application', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('config_id', 'application')
    )
    op.create_index('ix_canary_config_apps_app', 'canary_config_applications', ['application'], unique=False)
    op.create_table('canary_config_versions',
    sa.Column('config_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('saved_ts', sa.BigInteger(), nullable=False),
    sa.Column('saved_by', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('config_id', 'version')
    )
    op.create_table('canary_configs',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_ts', sa.BigInteger(), nullable=False),
    sa.Column('updated_ts', sa.BigInteger(), nullable=False),
    sa.Column('updated_by', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_canary_configs_name', 'canary_configs', ['name'], unique=False)
    op.create_table('canary_runs',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('application', sa.String(length=255), nullable=True),
    sa.Column('execution_id', sa.String(length=64), nullable=True),
    sa.Column('stage_id', sa.String(length=64), nullable=True),
    sa.Column('interval_stage_id', sa.String(length=64), nullable=True),
    sa.Column('interval_index', sa.Integer(), nullable=True),
    sa.Column('config_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('classification', sa.String(length=16), nullable=True),
    sa.Column('request', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('judge_result', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('metric_pairs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('error', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('start_ts', sa.BigInteger(), nullable=False),
    sa.Column('end_ts', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('interval_stage_id')
    )
    op.create_index('ix_canary_runs_stage', 'canary_runs', ['execution_id', 'stage_id'], unique=False)

def downgrade() -> None:

    op.drop_index('ix_canary_runs_stage', table_name='canary_runs')
    op.drop_table('canary_runs')
    op.drop_index('ix_canary_configs_name', table_name='canary_configs')
    op.drop_table('canary_configs')
    op.drop_table('canary_config_versions')
    op.drop_index('ix_canary_config_apps_app', table_name='canary_config_applications')
    op.drop_table('canary_config_applications')

