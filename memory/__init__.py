"""Long-term agent memory and context-window building (see ``memory.repository``).

What the platform learns from reviewers (procedural habits per clinician), what it recalls
about a patient (episodic run summaries), what the clinic knows (semantic: protocols), and
what each model call saw (``agent_context_windows``).
"""

from memory.records import Memory, MemoryWrite, Scope
from memory.repository import MemoryFilter, MemoryRepository

__all__ = ["Memory", "MemoryFilter", "MemoryRepository", "MemoryWrite", "Scope"]
