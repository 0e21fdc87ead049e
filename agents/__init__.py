"""Model adapters the slices share: the OpenAI-compatible chat endpoint (``llm``) that the LLM
interpreter (``voice``) and the vision runner (``imaging``) talk to. The agents that reason
across sources (reconciliation, treatment plans) will live here too."""
