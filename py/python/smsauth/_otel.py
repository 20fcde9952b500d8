"""OpenTelemetry spans for smsauth calls, for applications that already use OpenTelemetry.

smsauth never imports ``opentelemetry`` itself (no dependency, no import cost): the native module
calls :func:`start` only once the application has imported ``opentelemetry.trace``, and
:func:`start` does nothing until a real tracer provider is set. Each call then becomes one
``CLIENT`` span named for its action, with OpenTelemetry's HTTP-client attribute names and the
``smsauth.*`` attributes of the core's ``tracing`` span (``core/src/client/events.rs``): the
fields of the call's event, so never a secret, a full phone number or a code.
"""

from __future__ import annotations

import sys
import time

TYPE_CHECKING = False  # no `typing` import at run time (see errors.py)
if TYPE_CHECKING:
    from typing import Any, Dict, Optional, Tuple

# The event's fields under the names the core's span uses (OpenTelemetry's where one exists).
_ATTRIBUTES = (
    ("server_address", "server.address"),
    ("server_port", "server.port"),
    ("http_status", "http.response.status_code"),
    ("error_kind", "error.type"),
    ("action", "rpc.method"),
    ("action", "smsauth.action"),
    ("signature_version", "smsauth.signature_version"),
    ("phone", "smsauth.phone"),
    ("attempts", "smsauth.attempts"),
    ("retry_reasons", "smsauth.retry_reasons"),
    ("service_code", "smsauth.code"),
    ("request_id", "smsauth.request_id"),
    ("delivery", "smsauth.delivery"),
    ("guard_decision", "smsauth.guard.decision"),
    ("guard_rule", "smsauth.guard.rule"),
    ("passed", "smsauth.passed"),
    ("elapsed_ms", "smsauth.elapsed_ms"),
)


def start() -> Optional[Tuple[Any, Any, int]]:
    """At the start of a call, on the caller's thread (or task): the tracer, the caller's
    context (the span's parent) and the start time; ``None`` while no tracer provider is set."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    provider = trace.get_tracer_provider()
    if isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
        return None
    from . import __version__

    context = sys.modules["opentelemetry.context"]  # loaded by opentelemetry.trace
    return provider.get_tracer("smsauth", __version__), context.get_current(), time.time_ns()


def finish(started: Tuple[Any, Any, int], event: Dict[str, Any]) -> None:
    """At the end of a call: the span, from ``started`` to now, with the event's fields."""
    trace = sys.modules["opentelemetry.trace"]
    tracer, parent, start_ns = started
    # As the core's span says: every Dypnsapi call is an RPC-style POST.
    attributes: Dict[str, Any] = {"http.request.method": "POST", "rpc.system": "alibaba_cloud"}
    for field, name in _ATTRIBUTES:
        value = event.get(field)
        if value is not None:
            attributes[name] = value
    span = tracer.start_span(
        event["action"], context=parent, kind=trace.SpanKind.CLIENT, attributes=attributes, start_time=start_ns
    )
    if event.get("error_kind") is not None:
        span.set_status(trace.Status(trace.StatusCode.ERROR, event["error_kind"]))
    span.end()
