"""Agent workflows, runs, tools, collaboration, memory, approvals, undo history and metrics."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, literal_column, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_schema.models.base import Base, Embedding
from core_schema.statuses import ApprovalPriority, ApprovalStatus, ExecutionStatus, StepStatus, ToolExecutionStatus

__all__ = ["AgentWorkflow", "AgentExecution", "AgentStep", "AgentTool", "ToolExecution", "AgentConversation", "AgentMessage", "AgentMemory", "AgentContextWindow", "AgentApprovalRequest", "AgentIntervention", "ActionHistory", "AgentMetric"]


class AgentWorkflow(Base):
    """Defines a reusable agent workflow (state graph) with nodes and edges."""

    __tablename__ = "agent_workflows"
    __table_args__ = (
        Index("idx_agent_workflows_tenant_active", "tenant_id", "is_active"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str]
    description: Mapped[str | None]
    workflow_type: Mapped[str]
    graph_definition: Mapped[Any] = mapped_column(JSONB, nullable=False)
    entry_node: Mapped[str]
    exit_nodes: Mapped[Any] = mapped_column(JSONB, nullable=False)
    version: Mapped[str]
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AgentExecution(Base):
    """Runtime instance of an agent workflow."""

    __tablename__ = "agent_executions"
    __table_args__ = (
        Index("idx_agent_executions_tenant_status", "tenant_id", "status", "started_at"),
        Index("idx_agent_executions_voice_session", "voice_session_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_workflows.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    api_client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_clients.id"))
    voice_session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("voice_sessions.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("encounters.id"))
    input_locale: Mapped[str | None]
    output_locale: Mapped[str | None]
    current_node: Mapped[str]
    status: Mapped[str] = mapped_column(server_default=ExecutionStatus.RUNNING)
    state_snapshot: Mapped[Any] = mapped_column(JSONB, nullable=False)
    checkpoint_id: Mapped[str | None]
    started_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    completed_at: Mapped[datetime | None]
    error_details: Mapped[str | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)


class AgentStep(Base):
    """Individual step/node execution within an agent workflow."""

    __tablename__ = "agent_steps"
    __table_args__ = (
        Index("idx_agent_steps_execution_seq", "execution_id", "sequence_no"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    execution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_executions.id"))
    sequence_no: Mapped[int]
    node_name: Mapped[str]
    node_type: Mapped[str]
    input_state: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    output_state: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    llm_provider: Mapped[str | None]
    llm_model: Mapped[str | None]
    prompt_tokens: Mapped[int | None]
    completion_tokens: Mapped[int | None]
    tool_name: Mapped[str | None]
    tool_input: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    tool_output: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    decision_result: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default=StepStatus.COMPLETED)
    duration_ms: Mapped[int | None]
    error_message: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AgentTool(Base):
    """Registry of tools/functions available to AI agents."""

    __tablename__ = "agent_tools"
    __table_args__ = (
        Index("agent_tools_name_unique", "name", unique=True),
        Index("idx_agent_tools_tenant_active", "tenant_id", "is_active"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str]
    category: Mapped[str]
    function_schema: Mapped[Any] = mapped_column(JSONB, nullable=False)
    implementation_type: Mapped[str]
    endpoint_uri: Mapped[str | None]
    auth_config: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    timeout_ms: Mapped[int] = mapped_column(server_default=text("30000"))
    retry_policy: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    rate_limit: Mapped[int | None]
    requires_approval: Mapped[bool] = mapped_column(server_default=text("false"))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ToolExecution(Base):
    """Individual tool/function call by an agent, with input/output and performance tracking."""

    __tablename__ = "tool_executions"
    __table_args__ = (
        Index("idx_tool_executions_tenant_tool_time", "tenant_id", "tool_id", "started_at"),
        Index("idx_tool_executions_step", "agent_step_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    agent_step_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent_steps.id"))
    tool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_tools.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    api_client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_clients.id"))
    input_params: Mapped[Any] = mapped_column(JSONB, nullable=False)
    output_result: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    status: Mapped[str] = mapped_column(server_default=ToolExecutionStatus.PENDING)
    http_status: Mapped[int | None]
    duration_ms: Mapped[int | None]
    error_message: Mapped[str | None]
    retry_count: Mapped[int] = mapped_column(server_default=text("0"))
    started_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    completed_at: Mapped[datetime | None]


class AgentConversation(Base):
    """Multi-agent conversation thread (AutoGen GroupChat, CrewAI crew)."""

    __tablename__ = "agent_conversations"
    __table_args__ = (
        Index("idx_agent_conversations_tenant_status", "tenant_id", "status", "started_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    conversation_type: Mapped[str]
    initiator_type: Mapped[str]
    initiator_id: Mapped[uuid.UUID]
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("encounters.id"))
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    started_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    ended_at: Mapped[datetime | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)


class AgentMessage(Base):
    """Individual message in a multi-agent conversation."""

    __tablename__ = "agent_messages"
    __table_args__ = (
        Index("idx_agent_messages_conversation_seq", "conversation_id", "sequence_no"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_conversations.id"))
    sequence_no: Mapped[int]
    sender_type: Mapped[str]
    sender_id: Mapped[uuid.UUID]
    recipient_type: Mapped[str | None]
    recipient_id: Mapped[uuid.UUID | None]
    message_type: Mapped[str]
    content: Mapped[str | None]
    function_call: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AgentMemory(Base):
    """Long-term memory for agents."""

    __tablename__ = "agent_memories"
    __table_args__ = (
        Index("idx_agent_memories_tenant_scope", "tenant_id", "scope", "scope_id"),
        Index("idx_agent_memories_tenant_lang_scope", "tenant_id", "content_language", "scope", "scope_id"),
        Index("idx_agent_memories_embedding", "embedding", postgresql_using="ivfflat", postgresql_ops={"embedding": "vector_cosine_ops"}, postgresql_with={"lists": 100}),
        # Not in the spec: full-text recall (migration 0005).
        Index("ix_agent_memories_content_fts", text("to_tsvector('english'::regconfig, content)"), postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    api_client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_clients.id"))
    memory_type: Mapped[str]
    scope: Mapped[str]
    scope_id: Mapped[uuid.UUID | None]
    content: Mapped[str]
    content_locale: Mapped[str | None]
    content_language: Mapped[str | None]
    embedding: Mapped[list[float] | None] = mapped_column(Embedding(), nullable=True)
    source_type: Mapped[str | None]
    source_id: Mapped[uuid.UUID | None]
    importance_score: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    access_count: Mapped[int] = mapped_column(server_default=text("0"))
    last_accessed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AgentContextWindow(Base):
    """Tracks context window usage and pruning for LLM calls."""

    __tablename__ = "agent_context_windows"
    __table_args__ = (
        Index("idx_agent_context_execution", "execution_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    execution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_executions.id"))
    step_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent_steps.id"))
    context_items: Mapped[Any] = mapped_column(JSONB, nullable=False)
    total_tokens: Mapped[int]
    max_tokens: Mapped[int]
    pruning_strategy: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AgentApprovalRequest(Base):
    """Pending human approval for agent actions (HITL pattern)."""

    __tablename__ = "agent_approval_requests"
    __table_args__ = (
        Index("idx_approval_requests_tenant_status", "tenant_id", "status", "priority", "created_at"),
        Index("idx_approval_requests_assigned", "assigned_to_user_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    execution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_executions.id"))
    step_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent_steps.id"))
    tool_execution_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tool_executions.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    requested_action: Mapped[str]
    action_details: Mapped[Any] = mapped_column(JSONB, nullable=False)
    reason: Mapped[str | None]
    priority: Mapped[str] = mapped_column(server_default=ApprovalPriority.NORMAL)
    assigned_to_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(server_default=ApprovalStatus.PENDING)
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str | None]
    reviewed_at: Mapped[datetime | None]
    timeout_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AgentIntervention(Base):
    """Human interventions and corrections to agent behavior."""

    __tablename__ = "agent_interventions"
    __table_args__ = (
        Index("idx_agent_interventions_tenant_time", "tenant_id", "created_at"),
        Index("idx_agent_interventions_training", "use_for_training", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    execution_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent_executions.id"))
    step_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent_steps.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    intervention_type: Mapped[str]
    original_action: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    corrected_action: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    reason: Mapped[str | None]
    use_for_training: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ActionHistory(Base):
    """Stores previous state for undo functionality (5-minute window)."""

    __tablename__ = "action_history"
    __table_args__ = (
        Index("idx_action_history_user_recent", "user_id", literal_column("created_at").desc()),
        Index("idx_action_history_undoable", "tenant_id", "is_undone", "undo_expires_at", postgresql_where=text("is_undone = false")),
        Index("idx_action_history_voice_session", "voice_session_id"),
        Index("idx_action_history_entity", "entity_type", "entity_id", literal_column("created_at").desc()),
        Index("idx_action_history_cleanup", "undo_expires_at", postgresql_where=text("is_undone = false")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    voice_session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("voice_sessions.id"))
    voice_utterance_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("voice_utterances.id"))
    agent_execution_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent_executions.id"))
    approval_request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent_approval_requests.id"))
    entity_type: Mapped[str]
    entity_id: Mapped[uuid.UUID]
    action_type: Mapped[str]
    previous_state: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    new_state: Mapped[Any] = mapped_column(JSONB, nullable=False)
    change_summary: Mapped[str | None]
    is_undone: Mapped[bool] = mapped_column(server_default=text("false"))
    undone_at: Mapped[datetime | None]
    undone_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    undo_reason: Mapped[str | None]
    undo_expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AgentMetric(Base):
    """Performance metrics and KPIs for agent executions."""

    __tablename__ = "agent_metrics"
    __table_args__ = (
        Index("idx_agent_metrics_tenant_metric_time", "tenant_id", "metric_name", "recorded_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    execution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_executions.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    metric_name: Mapped[str]
    metric_value: Mapped[Decimal] = mapped_column(Numeric)
    metric_unit: Mapped[str | None]
    recorded_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
