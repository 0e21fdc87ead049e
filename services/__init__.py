"""The service layer: one package per domain, each owning its pydantic ``schemas`` and its
``service`` functions. The typer CLI (``api/cli``) and the FastAPI routers (``api/routes``) are
thin adapters over these same calls, so both faces answer alike; a refusal is a
``core_schema.errors.DomainError`` that each face renders its own way.

The workflow machinery (``workflows.approvals``, ``workflows.undo``, ``workflows.dictation``,
``workflows.run_views``) stays where it is; the services here are what a face may call.
"""
