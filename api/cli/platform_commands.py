"""``doctor``, ``serve`` and ``patients``: platform-level commands."""

from __future__ import annotations

import uuid

import typer

from api.cli.output import emit
from api.platform import platform_status
from core_schema.db import get_database
from core_schema.directory import list_patients
from core_schema.seed.demo import DEMO_TENANT_ID
from core_schema.settings import get_settings

JSON = typer.Option(False, "--json", help="Print JSON.")
patients = typer.Typer(help="Patients of the current tenant.", no_args_is_help=True)


def current_tenant(tenant: str | None = None) -> uuid.UUID:
    """``--tenant``, else ``DENTALAGENT_TENANT``, else the demo clinic."""
    value = tenant or get_settings().tenant
    if not value:
        return DEMO_TENANT_ID
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError(f"tenant must be a UUID, got {value!r}") from None


def doctor(as_json: bool = JSON) -> None:
    """Show the mode (embedded or server), server versions and whether pgvector is available."""
    emit(platform_status(), as_json)


def serve(
    host: str = typer.Option(None, help="Bind address (default from settings)."),
    port: int = typer.Option(None, min=1, max=65535, help="Port (default from settings)."),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Also execute queued runs in this process."),
) -> None:
    """Run the API server (with one run worker beside it unless --no-worker)."""
    import signal
    import sys
    import threading

    import uvicorn

    from api.app import create_app

    settings = get_settings()
    # uvicorn re-raises SIGTERM after its graceful shutdown; as SystemExit it lets the exit
    # handlers run (the embedded PostgreSQL is stopped by one), where the default would not.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if worker:
        from workflows import worker as worker_process
        from workflows.runtime import get_engine, get_queue

        threading.Thread(target=worker_process.run, name="run-worker", daemon=True,
                         args=(get_engine(), get_queue()), kwargs={"concurrency": 2, "interval_s": 5.0, "main_thread": False}).start()
    uvicorn.run(create_app(), host=host or settings.host, port=port or settings.port, log_level="info")


@patients.command("list")
def patients_list(
    tenant: str = typer.Option(None, "--tenant", help="Tenant id (default: DENTALAGENT_TENANT or the demo clinic)."),
    as_json: bool = JSON,
) -> None:
    """List the patients of the current tenant."""
    with get_database().tenant_session(current_tenant(tenant)) as session:
        emit(list_patients(session), as_json)
