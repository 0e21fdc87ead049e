"""LangGraph workflows on a persisted runtime: runs, steps, approvals, undo, metrics."""
