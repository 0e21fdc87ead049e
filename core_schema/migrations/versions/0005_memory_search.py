"""Memory search: a full-text index over ``agent_memories.content``.

Hybrid recall (``memory.repository``) ranks memories with ``to_tsvector('english', content)``;
this GIN expression index keeps that a lookup instead of a scan at 100k memories per clinic.
Row-level security of ``agent_memories`` (tenant) and ``agent_context_windows`` (through its
run) is already in place since 0002/0003.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_agent_memories_content_fts ON agent_memories "
               "USING gin (to_tsvector('english'::regconfig, content))")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_agent_memories_content_fts")
