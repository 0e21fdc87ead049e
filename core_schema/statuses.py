"""Every status and kind the code writes or compares, declared once, with the values the database stores.

Each family is a ``StrEnum``: a member *is* its value (``str``), so SQL parameters, JSON, f-strings
and pydantic ``str`` fields see exactly the text they saw before. The lists come from the spec's
column comments (``../shared/spec``; ``tests/core_schema/test_statuses.py`` holds them to it);
families whose column the spec gives only a default for hold the values the code uses.

LangGraph checkpoints serialize an ``Enum`` member as its class, not its text: a status that goes
into a graph's state is written as ``.value`` (a plain ``str``), so checkpoints stay as they were.
"""

from __future__ import annotations

from enum import StrEnum


class ExecutionStatus(StrEnum):
    """``agent_executions.status``: a run."""

    RUNNING = "RUNNING"
    WAITING_APPROVAL = "WAITING_APPROVAL"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


# A run in one of these has ended: it gets its ``completed_at`` and its metrics.
RUN_ENDED: tuple[ExecutionStatus, ...] = (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED)


class StepStatus(StrEnum):
    """``agent_steps.status``: one node execution of a run.

    RUNNING is not in the spec's list: it marks a step row written before its node finished
    (tool executions and approval requests reference it), completed when the node ends.
    """

    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    RUNNING = "RUNNING"


class ToolExecutionStatus(StrEnum):
    """``tool_executions.status``: one tool call."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMEOUT = "TIMEOUT"
    CANCELLED = "CANCELLED"


class ApprovalStatus(StrEnum):
    """``agent_approval_requests.status``: a reviewer's decision, or its absence."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    TIMEOUT = "TIMEOUT"


class ApprovalPriority(StrEnum):
    """``agent_approval_requests.priority``."""

    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class ReviewAction(StrEnum):
    """``ai_review_events.review_action``: what a reviewer did with an AI finding."""

    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    EDITED = "EDITED"


class InferenceJobStatus(StrEnum):
    """``ai_inference_jobs.status`` (the spec gives only the default, QUEUED)."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class DeploymentStatus(StrEnum):
    """``ai_model_deployments.status`` as the code writes it (``imaging-contract.md``: ACTIVE, SHADOW);
    a replaced deployment is RETIRED."""

    ACTIVE = "ACTIVE"
    SHADOW = "SHADOW"
    RETIRED = "RETIRED"


class RecordStatus(StrEnum):
    """The status of a live row where the spec's default is ACTIVE and names no other value
    (users, patients, a patient's conditions, medications and allergies)."""

    ACTIVE = "ACTIVE"


class EncounterStatus(StrEnum):
    """``encounters.status`` (the spec gives only the default, SCHEDULED)."""

    SCHEDULED = "SCHEDULED"
    IN_PROGRESS = "IN_PROGRESS"
    CHECKED_OUT = "CHECKED_OUT"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    NO_SHOW = "NO_SHOW"
    CLOSED = "CLOSED"


class ProcedureStatus(StrEnum):
    """``procedures.status`` (the spec gives only the default, PLANNED)."""

    PLANNED = "PLANNED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


class PlanStatus(StrEnum):
    """``treatment_plans.status`` (the spec gives only the default, DRAFT); DRAFT and ACTIVE are open."""

    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"


class ProtocolThreadStatus(StrEnum):
    """A thread's status as the LangGraph agent protocol names it (``agentserver``): computed from
    its runs, never stored."""

    IDLE = "idle"
    BUSY = "busy"
    INTERRUPTED = "interrupted"
    ERROR = "error"


class ProtocolRunStatus(StrEnum):
    """A run's status as the LangGraph agent protocol names it, mapped from ``ExecutionStatus``."""

    PENDING = "pending"
    RUNNING = "running"
    ERROR = "error"
    SUCCESS = "success"
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"


class MultitaskStrategy(StrEnum):
    """What a new run of a thread does to the thread's run in flight (``multitask_strategy``)."""

    REJECT = "reject"  # refused (409) while a run executes
    ENQUEUE = "enqueue"  # queued beside it
    INTERRUPT = "interrupt"  # the run in flight is stopped at its next safe point (cancelled), then the new one starts
    ROLLBACK = "rollback"  # as interrupt, and the stopped run no longer counts in the protocol's views


class InterruptResponseType(StrEnum):
    """Agent Inbox's reply to an interrupt (``HumanResponse.type``)."""

    ACCEPT = "accept"
    EDIT = "edit"
    RESPONSE = "response"
    IGNORE = "ignore"


class ConversationType(StrEnum):
    """``agent_conversations.conversation_type``."""

    PEER_TO_PEER = "PEER_TO_PEER"
    GROUP_CHAT = "GROUP_CHAT"
    HIERARCHICAL = "HIERARCHICAL"
    SEQUENTIAL = "SEQUENTIAL"


class ConversationStatus(StrEnum):
    """``agent_conversations.status``."""

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class MessageType(StrEnum):
    """``agent_messages.message_type``."""

    TEXT = "TEXT"
    FUNCTION_CALL = "FUNCTION_CALL"
    FUNCTION_RESULT = "FUNCTION_RESULT"
    SYSTEM = "SYSTEM"


class ParticipantType(StrEnum):
    """``agent_messages.sender_type`` / ``recipient_type`` (BROADCAST only as a recipient)."""

    API_CLIENT = "API_CLIENT"
    USER = "USER"
    SYSTEM = "SYSTEM"
    BROADCAST = "BROADCAST"


class ThreadType(StrEnum):
    """``conversations.conversation_type`` (the spec gives only the default, TEAM): APPROVAL is a
    reviewer's question on one approval request and the clinician's answers."""

    TEAM = "TEAM"
    APPROVAL = "APPROVAL"


class ThreadStatus(StrEnum):
    """``conversations.status`` (the spec gives only the default, OPEN)."""

    OPEN = "OPEN"
    CLOSED = "CLOSED"


class ThreadMessageKind(StrEnum):
    """``messages.metadata.kind`` of an APPROVAL thread: the reviewer asks, the clinician answers."""

    QUESTION = "QUESTION"
    ANSWER = "ANSWER"


class NotificationStatus(StrEnum):
    """``notifications.status`` (the spec gives only the default, PENDING). A snooze is a PENDING
    notification to its reviewer that rings at its time (DELIVERED: the request is back in their
    inbox); CANCELLED when woken early or the request is decided."""

    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"
