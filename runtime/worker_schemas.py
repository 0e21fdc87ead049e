"""What one maintenance tick did."""

from __future__ import annotations

from runtime.runs_schemas import RecoveryOut


class TickOut(RecoveryOut):
    timed_out: int
    undo_rows_removed: int
    queues_rebuilt: int
