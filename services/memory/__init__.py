"""Agent memory as both faces see it: search, list and forget (``dentalagent memory``, ``/api/v1/memory``)."""
