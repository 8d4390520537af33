"""accounts: second factor, recovery codes, session idle and lifetime, token scopes

Tokens made before scopes existed keep what they could do: ``read write``. Sessions already open get
``last_seen_at`` = now, so staff idle time starts counting at the upgrade.

Revision ID: 4d8118a94fdb
Revises: 16c664acfac9
Create Date: 2026-12-06 03:00:35.694651

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d8118a94fdb'
down_revision = '16c664acfac9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_recovery_code_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_code_code_hash'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    op.create_table('second_factor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_encrypted', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('last_step', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_second_factor_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_second_factor')),
    sa.UniqueConstraint('user_id', name=op.f('uq_second_factor_user_id'))
    )
    # existing tokens: "read write" (what every token could do before scopes); new tokens get theirs explicitly
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.String(length=255), nullable=True))
    op.execute("UPDATE api_token SET scopes = 'read write'")
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('scopes', existing_type=sa.String(length=255), nullable=False)

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('second_factor_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE login_session SET last_seen_at = CURRENT_TIMESTAMP")


def downgrade():
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('second_factor_at')
        batch_op.drop_column('last_seen_at')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('scopes')

    op.drop_table('second_factor')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))

    op.drop_table('recovery_code')
