"""The planning conversation as rows: ``agent_conversations`` (HIERARCHICAL) and its ``agent_messages``.

Every agent is a registered ``api_clients`` row of the clinic (created on first use, with a secret
nobody holds: agents never sign in, they are named as senders). A run's conversation is written
in one transaction with a name-based id, so a run resumed after its worker died finds it written
(all of it or none) and never writes a message twice.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core_schema.models import AgentConversation, AgentMessage, ApiClient
from core_schema.statuses import ConversationStatus, ConversationType, ParticipantType
from planning.agents import SPECIALISTS, SUPERVISOR

NAMESPACE = uuid.UUID("0b8e6c1a-3f7d-4d21-b5e9-7a2c4f6d8e10")
SCOPES = {SUPERVISOR: ["chart:read", "chart:write"], **{a: ["chart:read", "patients:read"] for a in SPECIALISTS}}


def agent_id(tenant_id: uuid.UUID, name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{tenant_id}:agent:{name}")


def conversation_id(execution_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"conversation:{execution_id}")


def register_agents(s: Session, tenant_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The clinic's planning agents as ``api_clients`` rows (name -> id), created when missing."""
    ids = {name: agent_id(tenant_id, name) for name in (SUPERVISOR, *SPECIALISTS)}
    existing = set(s.scalars(select(ApiClient.id).where(ApiClient.id.in_(ids.values()))))
    hasher = PasswordHasher()
    for name, aid in ids.items():
        if aid in existing:
            continue
        s.execute(insert(ApiClient).values(
            id=aid, tenant_id=tenant_id, client_id=f"agent-{name}-{tenant_id}", name=f"{name} planning agent",
            description=f"Rules agent ({name}) of the treatment-planning conversation; never signs in.",
            client_secret_hash=hasher.hash(secrets.token_urlsafe(32)), scopes=SCOPES[name],
        ).on_conflict_do_nothing())
    return ids


@dataclass
class Transcript:
    """Messages in the order they are said (sequence numbers follow)."""

    agents: dict[str, uuid.UUID]
    messages: list[dict[str, Any]] = field(default_factory=list)

    def say(self, sender: str, message_type: str, *, to: str | None = None, content: str | None = None,
            function_call: dict[str, Any] | None = None, metadata: dict[str, Any] | None = None) -> None:
        self.messages.append({
            "sender_type": ParticipantType.API_CLIENT.value, "sender_id": self.agents[sender],
            "recipient_type": (ParticipantType.API_CLIENT if to else ParticipantType.BROADCAST).value, "recipient_id": self.agents[to] if to else None,
            "message_type": message_type, "content": content, "function_call": function_call,
            "metadata_": {"agent": sender, **({"to": to} if to else {}), **(metadata or {})},
        })


def written(s: Session, conversation: uuid.UUID) -> bool:
    return s.get(AgentConversation, conversation) is not None


def write(s: Session, *, conversation: uuid.UUID, tenant_id: uuid.UUID, user_id: uuid.UUID, patient_id: uuid.UUID,
          encounter_id: uuid.UUID | None, execution_id: str, transcript: Transcript) -> None:
    """The conversation and every message (COMPLETED: the rules agents finish in one turn)."""
    s.add(AgentConversation(id=conversation, tenant_id=tenant_id, conversation_type=ConversationType.HIERARCHICAL,
                            initiator_type="USER", initiator_id=user_id, patient_id=patient_id, encounter_id=encounter_id,
                            status=ConversationStatus.COMPLETED, metadata_={"execution_id": execution_id, "agents": {k: str(v) for k, v in transcript.agents.items()}}))
    s.flush()
    for n, m in enumerate(transcript.messages):
        s.add(AgentMessage(id=uuid.uuid5(conversation, str(n)), conversation_id=conversation, sequence_no=n, **m))
    s.flush()


def messages(s: Session, conversation: uuid.UUID) -> list[AgentMessage]:
    return list(s.scalars(select(AgentMessage).where(AgentMessage.conversation_id == conversation).order_by(AgentMessage.sequence_no)))
