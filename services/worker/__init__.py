"""The run worker: executes queued runs and runs the maintenance timers."""
