"""Workflow runs: the list, one run's trace, and recovery of runs left behind."""
