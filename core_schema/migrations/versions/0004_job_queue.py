"""The run queue: procrastinate's tables and functions in the platform database.

Workers take runs from ``procrastinate_jobs`` and hold them under a heartbeat
(``procrastinate_workers``), so a run whose worker died is found and handed to another.
The schema is procrastinate's own SQL for the installed version; the tenant role gets no
access to it (only owner-side code enqueues and recovers runs).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op
from procrastinate.schema import SchemaManager

from core_schema.rows import present

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APP_ROLE = "dentalagent_app"

_DROP_ALL = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'procrastinate\\_%' LOOP
    EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(r.relname) || ' CASCADE';
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure::text AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND p.proname LIKE 'procrastinate\\_%' LOOP
    EXECUTE 'DROP FUNCTION IF EXISTS ' || r.sig || ' CASCADE';
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = 'public' AND t.typtype IN ('e', 'c') AND t.typname LIKE 'procrastinate\\_%' LOOP
    EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(r.typname) || ' CASCADE';
  END LOOP;
END $$;
"""

_REVOKE = f"""
DO $$ DECLARE r record; BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S') AND c.relname LIKE 'procrastinate\\_%' LOOP
      EXECUTE 'REVOKE ALL ON ' || quote_ident(r.relname) || ' FROM {APP_ROLE}';
    END LOOP;
  END IF;
END $$;
"""


def _raw(sql: str) -> None:
    """Run SQL text as is (procrastinate's schema holds ``%`` and ``:`` that no driver may rewrite)."""
    cursor = present(op.get_bind().connection.dbapi_connection, "the DBAPI connection").cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def upgrade() -> None:
    _raw(SchemaManager.get_schema())
    _raw(_REVOKE)


def downgrade() -> None:
    _raw(_DROP_ALL)
