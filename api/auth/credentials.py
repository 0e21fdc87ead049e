"""Checking a password or a client secret against its argon2 hash (in a system session:
sign-in happens before a tenant is known)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from core_schema.db import get_database
from core_schema.directory import Actor, NotFound, find_actor
from core_schema.models import ApiClient, User, UserAuthIdentity
from core_schema.statuses import RecordStatus

_HASHER = PasswordHasher()
# Verified when the account does not exist, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not-a-password")


def _verify(hashed: str | None, secret: str) -> bool:
    try:
        return _HASHER.verify(hashed or _DUMMY_HASH, secret) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password(email: str, password: str) -> Actor | None:
    """The user's actor when the password matches an active account; None otherwise (whichever was wrong)."""
    normalized = email.strip().lower()
    with get_database().system_session() as s:
        hashed = s.scalar(select(UserAuthIdentity.password_hash).join(User, User.id == UserAuthIdentity.user_id)
                          .where(UserAuthIdentity.provider == "password", User.email == normalized,
                                 User.status == RecordStatus.ACTIVE))
        if not _verify(hashed, password):
            return None
        try:
            return find_actor(s, normalized)
        except NotFound:
            return None


@dataclass(frozen=True)
class ClientIdentity:
    id: uuid.UUID
    client_id: str
    tenant_id: uuid.UUID
    scopes: frozenset[str]


def check_client(client_id: str, secret: str) -> ClientIdentity | None:
    """The API client when its secret matches and it belongs to a tenant; None otherwise."""
    with get_database().system_session() as s:
        client = s.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
        if not _verify(client.client_secret_hash if client else None, secret) or client is None or client.tenant_id is None:
            return None
        return ClientIdentity(client.id, client.client_id, client.tenant_id, frozenset(client.scopes or []))


def load_client(api_client_id: uuid.UUID) -> ClientIdentity | None:
    """The API client still registered under this id (a deleted client's tokens stop working)."""
    with get_database().system_session() as s:
        client = s.get(ApiClient, api_client_id)
        if client is None or client.tenant_id is None:
            return None
        return ClientIdentity(client.id, client.client_id, client.tenant_id, frozenset(client.scopes or []))


def load_user(email: str, tenant_id: uuid.UUID) -> Actor | None:
    """The user's current roles and permissions in that tenant; None once they are gone or disabled."""
    with get_database().system_session() as s:
        try:
            return find_actor(s, email, tenant_id)
        except NotFound:
            return None
