"""OpenTelemetry: with a tracer provider set, one CLIENT span per call with OpenTelemetry's
HTTP-client attribute names and the ``smsauth.*`` attributes; without one (or without
``opentelemetry`` imported at all) nothing. Recorded with the SDK's in-memory exporter (a test
dependency only). No secret, full phone number or code may show in a span."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from typing import Any, Iterator, List

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.util._once import Once

import smsauth
from smsauth.testing import Emulator

from conftest import PHONE, send_wrong_check_and_throttled_send

MASKED = PHONE[:3] + "****" + PHONE[-4:]


def _reset_global_provider() -> None:
    # What OpenTelemetry's own test utilities do: the global provider can be set once only.
    trace._TRACER_PROVIDER_SET_ONCE = Once()  # type: ignore[attr-defined]
    trace._TRACER_PROVIDER = None  # type: ignore[attr-defined]


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    _reset_global_provider()
    trace.set_tracer_provider(provider)
    yield memory
    provider.shutdown()
    _reset_global_provider()


def _leaks(spans: List[ReadableSpan], emulator: Emulator, codes: List[str]) -> None:
    shown = "\n".join(span.to_json() for span in spans)
    for secret in [emulator.access_key_secret, PHONE, *codes]:
        assert secret not in shown, f"{secret!r} leaked: {shown}"


def test_one_client_span_per_call(smsauth_emulator: Emulator, exporter: InMemorySpanExporter) -> None:
    events: List[Any] = []
    client = smsauth_emulator.client(code_length=8, on_event=events.append)
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("signup") as parent:
        code, wrong = send_wrong_check_and_throttled_send(client, smsauth_emulator)

    spans = [s for s in exporter.get_finished_spans() if s.name != "signup"]
    assert [s.name for s in spans] == ["SendSmsVerifyCode", "CheckSmsVerifyCode", "SendSmsVerifyCode"]
    send, check, throttled = spans
    for span, event in zip(spans, events):
        assert span.kind is trace.SpanKind.CLIENT
        assert span.parent is not None and span.parent.span_id == parent.get_span_context().span_id
        assert span.start_time is not None and span.end_time is not None and span.end_time >= span.start_time
        attrs = dict(span.attributes or {})
        assert attrs["http.request.method"] == "POST"
        assert attrs["server.address"] == "127.0.0.1" and attrs["server.port"] == smsauth_emulator.port
        assert attrs["http.response.status_code"] == event["http_status"] == 200
        assert attrs["smsauth.action"] == event["action"] and attrs["smsauth.phone"] == MASKED
        assert attrs["smsauth.request_id"] == event["request_id"]
        assert attrs["smsauth.delivery"] == "answered" and attrs["smsauth.attempts"] == 1
        assert attrs["smsauth.guard.decision"] == event["guard_decision"]
    assert "error.type" not in dict(send.attributes or {}) and send.status.is_ok
    assert dict(check.attributes or {})["smsauth.passed"] is False
    throttled_attrs = dict(throttled.attributes or {})
    assert throttled_attrs["error.type"] == "throttled" and throttled_attrs["smsauth.code"] == "biz.FREQUENCY"
    assert throttled.status.status_code is trace.StatusCode.ERROR
    _leaks(spans, smsauth_emulator, [code, wrong])


def test_async_span_is_a_child_of_the_awaiting_task(
    smsauth_emulator: Emulator, exporter: InMemorySpanExporter
) -> None:
    client = smsauth_emulator.async_client()
    tracer = trace.get_tracer("test")

    async def main() -> int:
        with tracer.start_as_current_span("signup") as parent:
            await client.send_code(PHONE)
            return parent.get_span_context().span_id

    parent_id = asyncio.run(main())
    (span,) = [s for s in exporter.get_finished_spans() if s.name == "SendSmsVerifyCode"]
    assert span.parent is not None and span.parent.span_id == parent_id
    assert dict(span.attributes or {})["smsauth.code"] == "OK"


def test_no_span_without_a_tracer_provider(smsauth_emulator: Emulator) -> None:
    _reset_global_provider()
    from smsauth import _otel

    assert _otel.start() is None  # the API alone records nothing
    smsauth_emulator.client().send_code(PHONE)


def test_opentelemetry_is_never_imported_by_smsauth() -> None:
    script = textwrap.dedent(
        """
        import sys
        import smsauth
        from smsauth.testing import Emulator
        with Emulator() as emu:
            client = emu.client()
            client.send_code("13800138000")
            assert client.check_code("13800138000", emu.last_code("13800138000"))
        loaded = sorted(m for m in sys.modules if m.startswith("opentelemetry"))
        assert not loaded, loaded
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
