"""``doctor``, ``serve`` and ``patients``: platform-level commands."""

from __future__ import annotations

import typer

from api.cli.output import JSON, emit
from core_schema import actors as identity
from core_schema.settings import get_settings
from patients import service as patients_service
from runtime import platform as platform_service

patients = typer.Typer(help="Patients of the current tenant.", no_args_is_help=True)


def doctor(as_json: bool = JSON) -> None:
    """Show the mode (embedded or server), server versions and whether pgvector is available."""
    emit(platform_service.status(), as_json)


def serve(
    host: str = typer.Option(None, help="Bind address (default from settings)."),
    port: int = typer.Option(None, min=1, max=65535, help="Port (default from settings)."),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Also execute queued runs in this process."),
) -> None:
    """Run the API server (with one run worker beside it unless --no-worker)."""
    import signal
    import sys

    import uvicorn

    from api.app import create_app
    from api.edge import server_options
    from runtime import worker as worker_service

    settings = get_settings()
    # uvicorn re-raises SIGTERM after its graceful shutdown; as SystemExit it lets the exit
    # handlers run (the embedded PostgreSQL is stopped by one), where the default would not.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if worker:
        worker_service.start_in_background(concurrency=2, interval_s=5.0)
    # X-Forwarded-* only from DENTALAGENT_TRUSTED_PROXIES (uvicorn would believe loopback by default).
    uvicorn.run(create_app(), host=host or settings.host, port=port or settings.port, log_level="info",
                **server_options(settings))


@patients.command("list")
def patients_list(
    tenant: str = typer.Option(None, "--tenant", help="Tenant id (default: DENTALAGENT_TENANT or the demo clinic)."),
    as_json: bool = JSON,
) -> None:
    """List the patients of the current tenant."""
    emit(patients_service.list_patients(identity.tenant(tenant)), as_json)
