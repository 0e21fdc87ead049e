"""search_clinic_knowledge: the clinic's own protocols, as indexed passages (read-only).

Answers from ``memory.knowledge`` (the live version of each knowledge document, chunked and
embedded); each passage names its document and version, so an agent can cite it.
"""

from __future__ import annotations

from pydantic import Field

from memory import knowledge
from memory.writers import repository_for
from tools.clinical.common import READ_ONLY, StrictModel, jsonable
from tools.context import ToolContext, ToolResult
from tools.registry import Category, tool


class SearchClinicKnowledgeInput(StrictModel):
    query: str = Field(min_length=2, max_length=500, description="What to look up, e.g. 'antibiotic prophylaxis before extraction'.")
    limit: int = Field(default=5, ge=1, le=20, description="How many passages to return.")


@tool(
    "search_clinic_knowledge",
    description=(
        "Search this clinic's published protocols and guidance (knowledge base). Returns the best matching "
        "passages with their document and version ids and a relevance score. Read-only; holds no patient data."
    ),
    category=Category.DATA_RETRIEVAL,
    input_model=SearchClinicKnowledgeInput,
    **READ_ONLY,
    scope="knowledge:read",
)
def search_clinic_knowledge(ctx: ToolContext, args: SearchClinicKnowledgeInput) -> ToolResult:
    from core_schema.db import get_database

    passages = knowledge.search(repository_for(get_database()), ctx.tenant_id, args.query, limit=args.limit,
                                session=ctx.session)
    return ToolResult(output=jsonable({"passages": [
        {"memory_id": p.memory_id, "document_id": p.document_id, "version_id": p.version_id, "title": p.title,
         "text": p.text, "score": round(p.score, 6)} for p in passages]}))
