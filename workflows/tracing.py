"""OpenTelemetry set-up: spans for runs, nodes and tool calls; exporter chosen by setting.

Span attributes carry ids, names of workflows/nodes/tools and statuses only: never patient data.
"""

from __future__ import annotations

import sys

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, SpanExporter

_configured = False


def configure(exporter: str, extra: SpanExporter | None = None) -> None:
    """Install the process-wide tracer provider once (``none``, ``console`` or ``otlp``)."""
    global _configured
    if _configured:
        if extra is not None:
            trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(extra))  # type: ignore[attr-defined]  # the configured provider is the SDK's TracerProvider (the API type lacks add_span_processor)
        return
    provider = TracerProvider(resource=Resource.create({"service.name": "dentalagent"}))
    if exporter == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stderr)))  # stdout stays --json
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    if extra is not None:
        provider.add_span_processor(SimpleSpanProcessor(extra))
    trace.set_tracer_provider(provider)
    _configured = True


def current_trace_id() -> str | None:
    """The hex trace id of the active span, for ``agent_executions.metadata``."""
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None
