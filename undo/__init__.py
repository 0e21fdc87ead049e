"""Undo: each tool's inverse (``handlers``), undoing an action inside its window (``actions``)
and the service both faces call (``service``)."""
