"""Dental voice interpreter: a dictated sentence -> registry command proposals (voice contract).

``interpret`` is the deterministic rules interpreter (default); ``LLMInterpreter`` in
``voice.interpreter.llm`` is the optional one over an OpenAI-compatible endpoint.
"""

from .jsonl import interpret_jsonl
from .models import Clarify, Interpretation, InterpretContext, Proposal
from .registry import COMMANDS, risk_tier
from .rules import interpret

__all__ = [
    "COMMANDS",
    "Clarify",
    "Interpretation",
    "InterpretContext",
    "Proposal",
    "interpret",
    "interpret_jsonl",
    "risk_tier",
]
