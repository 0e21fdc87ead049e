"""The LangGraph agent protocol over the platform's own runs (``docs/agent-protocol.md``).

What ``langgraph-sdk``, Agent Inbox and Agent Chat UI call, answered from the platform's one
truth: an assistant is a registered workflow (``graph_id`` = its name), a thread is a voice
session (``voice_sessions``: the conversation a clinician dictates into), a run is an
``agent_executions`` row linked to it, an interrupt is a PENDING approval request of one of its
runs, decided through the approvals service, and the store is the clinic's agent memory.
"""
