"""One LLM call's span, from the request to the end of its response, whichever client made it.

The client wrappers only translate their SDK's request and response shapes into `Usage` and a few response fields;
everything that makes the span what the dashboards read (names, token attributes, cost, estimation, status) is
decided here once.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from .. import attributes as attr
from ..attribution import CallAttribution, CallRequest
from ..pricing import PriceTable
from ..processor import Attribution
from .content import CallContent, capture_from_env
from .guard import quietly
from .redaction import redact_text

_log = logging.getLogger(__name__)

# A rough, tokenizer-free size: about four characters per token for English text and JSON.
CHARS_PER_TOKEN = 4


@dataclass
class Usage:
    """Token counts as the GenAI conventions define them: input includes cached input, output includes reasoning."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    provider_cost_usd: float | None = None
    estimated: bool = False


@dataclass(frozen=True)
class CallSettings:
    """What every call needs from the instrumentor, bound once at `instrument()` time."""

    tracer: trace.Tracer
    prices: PriceTable
    attribution: Attribution
    # Prompt and completion content on spans: off unless the user turned it on (see `content`).
    capture_content: bool = dataclasses.field(default_factory=capture_from_env)


def call_attribution(settings: CallSettings, request: CallRequest | None) -> CallAttribution:
    """The call's attribution from its request; the context layer's alone if reading the request fails."""
    found = quietly("attributing an LLM call from its request", settings.attribution.for_call, request, fallback=None)
    return found if found is not None else CallAttribution(settings.attribution.attributes())


def estimate_tokens(chars: int) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN)


def request_chars(payload: object) -> int:
    """The size of a request's messages, for estimating input tokens when the provider reports none."""
    if isinstance(payload, str):
        return len(payload)
    try:
        return len(json.dumps(payload, default=str))
    except (TypeError, ValueError):
        return len(str(payload))


def usage_attributes(usage: Usage) -> dict[str, AttributeValue]:
    values: dict[str, AttributeValue] = {}
    for name, count in (
        (attr.GEN_AI_USAGE_INPUT_TOKENS, usage.input_tokens),
        (attr.GEN_AI_USAGE_OUTPUT_TOKENS, usage.output_tokens),
        (attr.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cache_read_tokens),
        (attr.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cache_write_tokens),
        (attr.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoning_tokens),
    ):
        if count is not None:
            values[name] = count
    if usage.estimated:
        values[attr.USAGE_ESTIMATED] = True
    return values


def cost_attributes(prices: PriceTable, model: str | None, usage: Usage) -> dict[str, AttributeValue]:
    """The cost of a call: the provider's own figure when it sent one, else the price table's arithmetic.

    A model the table does not know costs 0 and is marked `unpriced`, so the dashboards can show what is missing
    rather than a guess.
    """
    if usage.provider_cost_usd is not None:
        return {attr.COST_USD: float(usage.provider_cost_usd), attr.COST_SOURCE: attr.COST_FROM_PROVIDER}
    if usage.input_tokens is None and usage.output_tokens is None:
        return {}
    cost = None
    if model:
        cost = prices.cost(
            model,
            input_tokens=usage.input_tokens or 0,
            output_tokens=usage.output_tokens or 0,
            cache_read_tokens=usage.cache_read_tokens or 0,
            cache_write_tokens=usage.cache_write_tokens or 0,
        )
    if cost is None:
        _warn_unpriced(model)
        return {attr.COST_USD: 0.0, attr.COST_SOURCE: attr.COST_UNPRICED}
    return {attr.COST_USD: cost, attr.COST_SOURCE: attr.COST_FROM_PRICE_TABLE}


_warned_models: set[str | None] = set()


def _warn_unpriced(model: str | None) -> None:
    if model not in _warned_models:
        _warned_models.add(model)
        _log.warning(
            "agentcost: no price for model %r; its calls cost 0 and are marked unpriced "
            "(add it to a prices file named by AGENTCOST_PRICES)",
            model,
        )


class LLMCall:
    """The span of one LLM call. `finish()` may be called from several places (stream end, close, garbage
    collection); only the first counts, so a span is ended exactly once. What the response says is kept and set on
    the span with the usage and cost at the end: one `set_attributes` (a lock and a validation pass) per call."""

    def __init__(
        self,
        settings: CallSettings,
        *,
        operation: str,
        provider: str,
        model: str | None,
        server_address: str | None = None,
        server_port: int | None = None,
        stream: bool = False,
        request_payload: object = None,
        request: CallRequest | None = None,
    ) -> None:
        self._settings = settings
        self._model = model
        self._request_payload = request_payload
        self._usage = Usage()
        self._response_model: str | None = None
        self._output_chars = 0
        self._finished = False
        self._token: object = None
        self._response_values: dict[str, AttributeValue] = {}  # set with the end's, in one call
        attribution = call_attribution(settings, request)
        self._context = attribution.context
        start_attributes: dict[str, AttributeValue] = {
            **attribution.attributes,
            attr.GEN_AI_OPERATION_NAME: operation,
            attr.GEN_AI_PROVIDER_NAME: provider,
        }
        if model:
            start_attributes[attr.GEN_AI_REQUEST_MODEL] = model
        if stream:
            start_attributes[attr.GEN_AI_REQUEST_STREAM] = True
        if server_address:
            start_attributes[attr.SERVER_ADDRESS] = server_address
        if server_port:
            start_attributes[attr.SERVER_PORT] = server_port
        self.span = settings.tracer.start_span(
            f"{operation} {model}" if model else operation, kind=SpanKind.CLIENT, attributes=start_attributes
        )
        self.content = CallContent(self.span) if settings.capture_content else None

    # --- the span as the current span while the SDK sends the request -------------------------------------------
    def activate(self) -> None:
        self._token = otel_context.attach(trace.set_span_in_context(self.span))

    def deactivate(self) -> None:
        if self._token is not None:
            otel_context.detach(self._token)  # type: ignore[arg-type]
            self._token = None

    # --- what the response says ----------------------------------------------------------------------------------
    def record_response(
        self,
        *,
        response_id: str | None = None,
        response_model: str | None = None,
        finish_reasons: Sequence[str] | None = None,
        usage: Usage | None = None,
    ) -> None:
        values = self._response_values
        if response_id:
            values[attr.GEN_AI_RESPONSE_ID] = response_id
        if response_model:
            self._response_model = response_model
            values[attr.GEN_AI_RESPONSE_MODEL] = response_model
        if finish_reasons:
            values[attr.GEN_AI_RESPONSE_FINISH_REASONS] = list(finish_reasons)
            if self.content is not None:
                self.content.finish_reasons = finish_reasons
        if usage is not None:
            self.merge_usage(usage)

    def merge_usage(self, usage: Usage) -> None:
        """Takes every count the provider reported; later reports (a stream's final usage) replace earlier ones."""
        mine = self._usage  # field by field, not a loop of getattr/setattr: this runs on every call
        if usage.input_tokens is not None:
            mine.input_tokens = usage.input_tokens
        if usage.output_tokens is not None:
            mine.output_tokens = usage.output_tokens
        if usage.cache_read_tokens is not None:
            mine.cache_read_tokens = usage.cache_read_tokens
        if usage.cache_write_tokens is not None:
            mine.cache_write_tokens = usage.cache_write_tokens
        if usage.reasoning_tokens is not None:
            mine.reasoning_tokens = usage.reasoning_tokens
        if usage.provider_cost_usd is not None:
            mine.provider_cost_usd = usage.provider_cost_usd

    def add_output_text(self, text: str | None) -> None:
        """Counts streamed output, the basis of an estimate when the stream ends before its usage arrives."""
        if text:
            self._output_chars += len(text)
            if self.content is not None:
                self.content.add_streamed(text)

    # --- the end -------------------------------------------------------------------------------------------------
    def finish(self, error: BaseException | None = None, *, abandoned: bool = False) -> None:
        if self._finished:
            return
        self._finished = True
        try:
            self._record_end(error, abandoned)
        except Exception:
            _log.debug("agentcost: could not record the end of an LLM call", exc_info=True)
        finally:
            self.span.end()

    def _record_end(self, error: BaseException | None, abandoned: bool) -> None:
        if self.content is not None:
            self.content.finish()
        usage = self._usage
        if error is None and (usage.input_tokens is None or usage.output_tokens is None):
            self._estimate_missing_counts(abandoned)
        values = self._response_values  # the call's own dict, set once: added to, not copied
        values.update(usage_attributes(usage))
        values.update(cost_attributes(self._settings.prices, self._response_model or self._model, usage))
        if self._context is not None:
            values.update(self._context.token_attributes(usage.input_tokens))
        if values:
            self.span.set_attributes(values)
        # A call that succeeded, or that the caller abandoned, leaves the status unset: the OpenTelemetry API asks
        # instrumentation libraries to set only Error, leaving Ok (which is final) to the application.
        if error is not None:
            self._record_error(error)

    def _estimate_missing_counts(self, abandoned: bool) -> None:
        usage = self._usage
        if usage.input_tokens is None and (abandoned or usage.output_tokens is None):
            usage.input_tokens = estimate_tokens(request_chars(self._request_payload))
            usage.estimated = True
        if usage.output_tokens is None:
            usage.output_tokens = estimate_tokens(self._output_chars)
            usage.estimated = True

    def _record_error(self, error: BaseException) -> None:
        if not isinstance(error, Exception):
            # Cancellation and interpreter exit stop the call; they are not the provider's errors.
            return
        self.span.set_attribute(attr.ERROR_TYPE, error_type(error))
        # Provider and proxy errors may quote what was sent, a key included.
        self.span.set_status(Status(StatusCode.ERROR, redact_text(str(error))[:500]))


def error_type(error: BaseException) -> str:
    """A low-cardinality error type: the provider's error code or HTTP status when the SDK error carries one."""
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        return str(status)
    return type(error).__qualname__
