"""Undoable actions and undo (5-minute window)."""
