"""The platform itself: status (``doctor``, ``/healthz``), schema migrations, demo data."""
