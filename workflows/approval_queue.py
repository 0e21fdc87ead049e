"""Redis side of approvals: per-reviewer queues and notifications; rebuilt from PostgreSQL.

Keys: ``agent:approval_queue:{tenant}:{user}`` (a list of request ids, oldest first) and the
pub/sub channel ``notifications:channel:{tenant}:{user}`` (``NEW_APPROVAL``, ``APPROVAL_TIMEOUT``, ``DECIDED``,
``APPLIED``, ``APPLY_FAILED``).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core_schema.models import AgentApprovalRequest
from core_schema.redis_store import key
from core_schema.settings import get_settings

PRIORITY_ORDER = {"URGENT": 0, "HIGH": 1, "NORMAL": 2, "LOW": 3}


def queue_key(tenant_id: Any, user_id: Any) -> str:
    return key("agent", "approval_queue", tenant_id, user_id)


def channel(tenant_id: Any, user_id: Any) -> str:
    return key("notifications", "channel", tenant_id, user_id)


def enqueue(redis: Any, tenant_id: Any, user_id: Any, approval_id: Any, execution_id: Any) -> None:
    """Queue a request for its reviewer and tell them (``NEW_APPROVAL``)."""
    redis.rpush(queue_key(tenant_id, user_id), str(approval_id))
    notify(redis, tenant_id, user_id, "NEW_APPROVAL", approval_id, execution_id)


def dequeue(redis: Any, tenant_id: Any, user_id: Any, approval_id: Any) -> None:
    redis.lrem(queue_key(tenant_id, user_id), 0, str(approval_id))


def notify(redis: Any, tenant_id: Any, user_id: Any, event: str, approval_id: Any, execution_id: Any,
           extra: dict[str, Any] | None = None) -> None:
    """Publish ``event`` to the user's channel; ``extra``: more ids or a reason (never patient data)."""
    redis.publish(channel(tenant_id, user_id), json.dumps(
        {"type": event, "approval_id": str(approval_id), "execution_id": str(execution_id), **(extra or {})}
    ))


def queued(redis: Any, tenant_id: Any, user_id: Any) -> list[str]:
    return list(redis.lrange(queue_key(tenant_id, user_id), 0, -1))


def rebuild(redis: Any, session: Session, tenant_id: uuid.UUID | None = None) -> int:
    """Replace every queue with the PENDING requests in PostgreSQL; returns how many were queued.

    Owner session (all tenants) or a tenant session (that tenant's queues only).
    """
    query = select(AgentApprovalRequest).where(AgentApprovalRequest.status == "PENDING")
    if tenant_id is not None:
        query = query.where(AgentApprovalRequest.tenant_id == tenant_id)
    by_queue: dict[tuple[str, str], list[AgentApprovalRequest]] = defaultdict(list)
    for req in session.scalars(query):
        if req.assigned_to_user_id is not None:
            by_queue[(str(req.tenant_id), str(req.assigned_to_user_id))].append(req)
    pattern = get_settings().redis_prefix + "agent:approval_queue:" + (f"{tenant_id}:*" if tenant_id else "*")
    pipe = redis.pipeline()
    for stale in redis.scan_iter(match=pattern, count=500):
        pipe.delete(stale)
    total = 0
    for (tenant, user), reqs in by_queue.items():
        reqs.sort(key=lambda r: (PRIORITY_ORDER.get(r.priority, 9), r.created_at))
        pipe.rpush(queue_key(tenant, user), *[str(r.id) for r in reqs])
        total += len(reqs)
    pipe.execute()
    return total
