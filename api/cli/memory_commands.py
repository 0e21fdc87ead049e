"""``dentalagent memory``: search, list and forget what the agents remember; index the protocols.

Thin over ``memory.service`` (the API routes call the same functions).
"""

from __future__ import annotations

import typer

from api.cli.output import JSON, emit
from core_schema import actors as identity
from memory import service

app = typer.Typer(help="Agent memory: run summaries, clinician habits, clinic knowledge.", no_args_is_help=True)
TENANT = typer.Option(None, "--tenant", help="Tenant id (default: DENTALAGENT_TENANT or the demo clinic).")
PATIENT = typer.Option(None, "--patient", help="Only this patient's memories (patient id).")
CLINICIAN = typer.Option(None, "--clinician", help="Only this clinician's memories (email).")
KIND = typer.Option(None, "--kind", help="semantic, episodic or procedural (repeatable).")


@app.command("search")
def search_command(
    query: str = typer.Argument(..., help="What to recall."),
    patient: str = PATIENT, clinician: str = CLINICIAN, kind: list[str] = KIND,
    mode: str = typer.Option("hybrid", "--mode", help="hybrid (full text + vectors), fts or vector."),
    limit: int = typer.Option(10, "--limit", min=1, max=200, help="How many memories (1-200)."),
    tenant: str = TENANT, as_json: bool = JSON,
) -> None:
    """Memories ranked for QUERY: [{id, memory_type, scope, content, score}]."""
    emit(service.search(identity.tenant(tenant), query, patient=patient, clinician_email=clinician, kinds=kind,
                        mode=mode, limit=limit), as_json)


@app.command("list")
def list_command(patient: str = PATIENT, clinician: str = CLINICIAN, kind: list[str] = KIND,
                 limit: int = typer.Option(50, "--limit", min=1, max=500, help="How many memories (1-500)."),
                 tenant: str = TENANT, as_json: bool = JSON) -> None:
    """Memories, newest first."""
    emit(service.list_memories(identity.tenant(tenant), patient=patient, clinician_email=clinician, kinds=kind,
                               limit=limit), as_json)


@app.command("forget")
def forget_command(patient: str = typer.Option(..., "--patient", help="The patient id whose memories are erased."),
                   tenant: str = TENANT, as_json: bool = JSON) -> None:
    """Erase a patient's memories and their embeddings."""
    emit(service.forget_patient(identity.tenant(tenant), patient), as_json)


@app.command("index-knowledge")
def index_knowledge_command(tenant: str = TENANT, as_json: bool = JSON) -> None:
    """Index the live version of each knowledge document (clinic protocols) for search."""
    emit(service.index_knowledge(identity.tenant(tenant)), as_json)


@app.command("purge-expired")
def purge_command(tenant: str = TENANT, as_json: bool = JSON) -> None:
    """Delete memories whose expiry has passed."""
    emit(service.purge_expired(identity.tenant(tenant)), as_json)


@app.command("eval")
def eval_command(patients: int = typer.Option(25, "--patients", min=1, max=500,
                                              help="Synthetic patients in the labelled set (default 25: the published figures)."),
                 tenant: str = TENANT, as_json: bool = JSON) -> None:
    """Labelled recall@5 / MRR for full text, vectors and hybrid; habit learning before and after corrections."""
    from evals.memory_eval import evaluate  # the eval imports the interpreter: loaded only for this command

    emit(evaluate(identity.tenant(tenant), patients=patients), as_json)
