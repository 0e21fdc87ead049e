"""Redis side of approvals: per-reviewer queues and notifications; rebuilt from PostgreSQL.

Keys: ``agent:approval_queue:{tenant}:{user}`` (a list of request ids, oldest first) and the
pub/sub channel ``notifications:channel:{tenant}:{user}`` (``NEW_APPROVAL``, ``APPROVAL_TIMEOUT``, ``DECIDED``,
``APPLIED``, ``APPLY_FAILED``; ``APPROVAL_QUESTION``, ``APPROVAL_ANSWER`` from ``threads``;
``SNOOZED``, ``SNOOZE_ENDED`` from ``snooze``).

Redis is a cache of PostgreSQL here: a write to it that fails (Redis down) is logged and
skipped, never failing the decision that PostgreSQL already holds. Loss is detected by the
epoch key ``platform:epoch:approval_queues`` (the run id of the server it was written on,
at each rebuild): missing after a flush, or naming another run id after a restart, it means
the queues are not what PostgreSQL says, and ``ensure`` rebuilds them (each worker tick).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import redis as redis_lib
from sqlalchemy import select
from sqlalchemy.orm import Session

from core_schema.models import AgentApprovalRequest
from core_schema.redis_store import key
from core_schema.settings import get_settings
from core_schema.statuses import ApprovalPriority, ApprovalStatus

PRIORITY_ORDER: dict[str, int] = {ApprovalPriority.URGENT: 0, ApprovalPriority.HIGH: 1, ApprovalPriority.NORMAL: 2, ApprovalPriority.LOW: 3}
REBUILD_ATTEMPTS = 20

log = logging.getLogger(__name__)
# Set when a queue write of this process failed (Redis down): the queues may miss it, so the
# next ``ensure`` rebuilds them even if the server kept its data.
_missed_write = threading.Event()


def queue_key(tenant_id: Any, user_id: Any) -> str:
    return key("agent", "approval_queue", tenant_id, user_id)


def channel(tenant_id: Any, user_id: Any) -> str:
    return key("notifications", "channel", tenant_id, user_id)


def epoch_key() -> str:
    return key("platform", "epoch", "approval_queues")


def _best_effort(what: str, write: Callable[[], Any]) -> None:
    """Do a Redis write; when Redis is unreachable log it and leave the queues to be rebuilt."""
    try:
        write()
    except redis_lib.RedisError as exc:
        _missed_write.set()
        log.warning("Redis unavailable, %s skipped (queues are rebuilt from PostgreSQL): %s", what, exc)


def enqueue(redis: Any, tenant_id: Any, user_id: Any, approval_id: Any, execution_id: Any) -> None:
    """Queue a request for its reviewer (once, even if a rebuild queued it already) and tell them (``NEW_APPROVAL``)."""
    def write() -> None:
        pipe = redis.pipeline()  # MULTI: a rebuild watching this queue starts over
        pipe.lrem(queue_key(tenant_id, user_id), 0, str(approval_id))
        pipe.rpush(queue_key(tenant_id, user_id), str(approval_id))
        pipe.execute()

    _best_effort("enqueue", write)
    notify(redis, tenant_id, user_id, "NEW_APPROVAL", approval_id, execution_id)


def dequeue(redis: Any, tenant_id: Any, user_id: Any, approval_id: Any) -> None:
    _best_effort("dequeue", lambda: redis.lrem(queue_key(tenant_id, user_id), 0, str(approval_id)))


def notify(redis: Any, tenant_id: Any, user_id: Any, event: str, approval_id: Any, execution_id: Any,
           extra: dict[str, Any] | None = None) -> None:
    """Publish ``event`` to the user's channel; ``extra``: more ids or a reason (never patient data)."""
    message = json.dumps({"type": event, "approval_id": str(approval_id), "execution_id": str(execution_id), **(extra or {})})
    try:
        redis.publish(channel(tenant_id, user_id), message)
    except redis_lib.RedisError as exc:  # a notification is a hint: the inbox reads PostgreSQL
        log.warning("Redis unavailable, %s notification not sent: %s", event, exc)


def queued(redis: Any, tenant_id: Any, user_id: Any) -> list[str]:
    return list(redis.lrange(queue_key(tenant_id, user_id), 0, -1))


def rebuild(redis: Any, session: Session, tenant_id: uuid.UUID | None = None) -> int:
    """Replace every queue with the PENDING requests in PostgreSQL; returns how many were queued.

    Owner session (all tenants) or a tenant session (that tenant's queues only). The queues
    are watched while PostgreSQL is read: an enqueue or dequeue in between makes the rebuild
    start over, so a request queued meanwhile is neither lost nor queued twice. A full
    rebuild (all tenants) also writes the epoch key ``ensure`` checks.
    """
    prefix = get_settings().redis_prefix + "agent:approval_queue:"
    pattern = prefix + (f"{tenant_id}:*" if tenant_id else "*")
    run_id = str(redis.info("server").get("run_id")) if tenant_id is None else None
    for _ in range(REBUILD_ATTEMPTS):
        with redis.pipeline() as pipe:
            try:
                existing = list(redis.scan_iter(match=pattern, count=500))
                if existing:
                    pipe.watch(*existing)
                by_queue = _pending_by_queue(session, tenant_id)
                targets = [queue_key(tenant, user) for tenant, user in by_queue]
                fresh = [k for k in targets if k not in set(existing)]
                if fresh:
                    pipe.watch(*fresh)
                    if pipe.exists(*fresh):  # created since the scan: someone enqueued meanwhile
                        continue
                pipe.multi()
                for stale in existing:
                    pipe.delete(stale)
                total = 0
                for (tenant, user), ids in by_queue.items():
                    pipe.rpush(queue_key(tenant, user), *ids)
                    total += len(ids)
                if run_id is not None:
                    pipe.hset(epoch_key(), mapping={"run_id": run_id, "rebuilt_at": f"{time.time():.3f}"})
                pipe.execute()
                return total
            except redis_lib.WatchError:  # read committed: the next attempt sees what was committed meanwhile
                continue
    raise RuntimeError(f"approval queues kept changing: not rebuilt after {REBUILD_ATTEMPTS} attempts")


def _pending_by_queue(session: Session, tenant_id: uuid.UUID | None) -> dict[tuple[str, str], list[str]]:
    query = select(AgentApprovalRequest).where(AgentApprovalRequest.status == ApprovalStatus.PENDING)
    if tenant_id is not None:
        query = query.where(AgentApprovalRequest.tenant_id == tenant_id)
    by_queue: dict[tuple[str, str], list[AgentApprovalRequest]] = defaultdict(list)
    for req in session.scalars(query):
        if req.assigned_to_user_id is not None:
            by_queue[(str(req.tenant_id), str(req.assigned_to_user_id))].append(req)
    ordered: dict[tuple[str, str], list[str]] = {}
    for queue, reqs in by_queue.items():
        reqs.sort(key=lambda r: (PRIORITY_ORDER.get(r.priority, 9), r.created_at))
        ordered[queue] = [str(r.id) for r in reqs]
    return ordered


def lost(redis: Any) -> str | None:
    """Why the queues can no longer be trusted (flushed, a restarted server, a missed write), or None."""
    if _missed_write.is_set():
        return "a queue write failed while Redis was unavailable"
    seen = redis.hget(epoch_key(), "run_id")
    if seen is None:
        return "the epoch key is gone (Redis flushed, or a new instance)"
    run_id = str(redis.info("server").get("run_id"))
    if seen != run_id:
        return f"Redis restarted (run id {seen[:8]} -> {run_id[:8]})"
    return None


def ensure(redis: Any, system_session: Callable[[], AbstractContextManager[Session]]) -> int | None:
    """Rebuild the queues from PostgreSQL when Redis lost them; how many were queued, or None (intact)."""
    reason = lost(redis)
    if reason is None:
        return None
    _missed_write.clear()  # writes failing from here on set it again
    with system_session() as s:
        total = rebuild(redis, s)
    log.warning("approval queues rebuilt from PostgreSQL (%s): %d pending requests queued", reason, total)
    return total
