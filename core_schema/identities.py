"""Fixed ids the running platform relies on, whether or not the demo clinic is seeded.

Ids are uuid5 of a readable key (``sid``), so the seed, the runtime and the tests name the
same rows: the system user that authors global workflows and API-client actions, and the
demo clinic that the CLI falls back to when no tenant is given.
"""

from __future__ import annotations

import uuid

SEED_NAMESPACE = uuid.UUID("6f1c2d0e-3b7a-4c55-9e1f-0d5a2b8c7e41")


def sid(*parts: str) -> uuid.UUID:
    """Deterministic id for a readable key."""
    return uuid.uuid5(SEED_NAMESPACE, "/".join(parts))


SYSTEM_USER_ID = sid("user", "system@dentalagent.local")  # author of global workflows; member of no tenant
DEMO_TENANT_ID = sid("tenant", "demo")
