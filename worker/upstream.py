"""Talking to the model: one OpenAI-compatible streaming call, and what its failures mean to a person."""

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

import openai
from openai import AsyncOpenAI

from core.catalog import Catalog, ModelSpec
from core.failures import AnswerFailure
from worker.sse_decoder import sse_data

BAD_RESPONSE = "The model server sent a response relaychat could not read."
# Tool calls in one answer, past which a server's stream is not believed (OpenAI allows 128 tools).
MAX_TOOL_CALLS = 128


@dataclass(frozen=True, slots=True)
class ToolFragment:
    """A piece of a tool call as a server streams it: its index, and on its first piece its id
    and name; pieces of its arguments."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass
class Chunk:
    text: str = ""
    reasoning: str = ""
    tool_calls: list[ToolFragment] = field(default_factory=list)
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None


def make_client(
    base_url: str | None, api_key: str | None, connect_timeout: float, idle_timeout: float
) -> AsyncOpenAI:
    # Retries are ours (worker/generate.py): only before the first token, and a Stop cuts them short.
    # The read timeout is the longest silence allowed between two chunks.
    timeout = openai.Timeout(idle_timeout, connect=connect_timeout)
    return AsyncOpenAI(
        base_url=base_url,
        api_key=api_key or "not-needed",
        max_retries=0,
        timeout=timeout,
        # aiohttp parses HTTP in C, where httpx's reader is pure Python: at thousands of chunks a
        # second that matters (docs/performance.md). The SDK supports it as its transport.
        http_client=openai.DefaultAioHttpClient(timeout=timeout),
    )


class Upstreams:
    """One SDK client per model server (base URL and key), made once at start-up."""

    def __init__(self, catalog: Catalog, connect_timeout: float, idle_timeout: float) -> None:
        self._clients: dict[tuple[str | None, str | None], AsyncOpenAI] = {}
        for spec in catalog.models:
            key = (spec.base_url, spec.api_key())
            if key not in self._clients:
                self._clients[key] = make_client(spec.base_url, key[1], connect_timeout, idle_timeout)

    def client(self, spec: ModelSpec) -> AsyncOpenAI:
        return self._clients[(spec.base_url, spec.api_key())]

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()


def _transport_error(error: BaseException) -> str | None:
    """The HTTP library's error name, whichever httpx the SDK ships (httpx or httpx2)."""
    if any(cls.__module__.split(".")[0] in ("httpx", "httpx2", "httpcore") for cls in type(error).__mro__):
        return type(error).__name__
    return None


def _retry_after(response: Any) -> float | None:
    try:
        return float(response.headers.get("retry-after", ""))
    except ValueError:
        return None


def _detail(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error")
        message = body.get("message") or (inner.get("message") if isinstance(inner, dict) else inner)
        if isinstance(message, str) and message:
            return message
    return error.message


def classify(error: BaseException, server: str) -> AnswerFailure:
    """Turn whatever the SDK or the network raised into a code and a sentence a user can read."""
    if isinstance(error, AnswerFailure):
        return error
    if isinstance(error, openai.RateLimitError):
        return AnswerFailure(
            "rate_limited",
            "The model server is rate limiting requests (HTTP 429). Try again in a moment.",
            retryable=True,
            retry_after=_retry_after(error.response),
        )
    if isinstance(error, openai.AuthenticationError):
        return AnswerFailure("auth_failed", "The model server rejected the API key (HTTP 401).")
    if isinstance(error, openai.NotFoundError):
        return AnswerFailure(
            "model_not_found", f"The model server does not know this model: {_detail(error)}"
        )
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        return AnswerFailure(
            "upstream_error",
            f"The model server failed with HTTP {status}: {_detail(error)}",
            retryable=status >= 500,
            retry_after=_retry_after(error.response),
        )
    # The SDK wraps transport errors, mid-stream ones included, in APIConnectionError: the cause
    # tells a server that cannot be reached from a connection lost after it answered.
    transport = _transport_error(error.__cause__ or error) if isinstance(error, openai.APIError) else None
    transport = transport or _transport_error(error)
    if transport in ("ConnectError", "ConnectTimeout") or (
        isinstance(error, openai.APIConnectionError)
        and not isinstance(error, openai.APITimeoutError)
        and not transport
    ):
        return AnswerFailure("unreachable", f"Could not reach the model server at {server}.", retryable=True)
    if isinstance(error, openai.APITimeoutError) or (transport and "Timeout" in transport):
        return AnswerFailure("timeout", "The model server stopped responding.", retryable=True)
    if transport:
        lost = "The connection to the model server was lost."
        return AnswerFailure("connection_lost", lost, retryable=True)
    if isinstance(error, json.JSONDecodeError | openai.APIResponseValidationError | KeyError | TypeError):
        return AnswerFailure("bad_response", BAD_RESPONSE)
    if isinstance(error, openai.APIError):
        return AnswerFailure("upstream_error", f"The model server reported an error: {error.message}")
    raise error


def read_chunk(data: str) -> Chunk | None:
    """One `chat.completion.chunk` event's JSON as a Chunk; None for the closing `[DONE]`."""
    if data.startswith("[DONE]"):
        return None
    payload = json.loads(data)
    if not isinstance(payload, dict):
        raise TypeError("a chunk must be a JSON object")
    if error := payload.get("error"):
        message = error.get("message") if isinstance(error, dict) else error
        detail = message if isinstance(message, str) and message else "an error occurred while streaming"
        raise AnswerFailure("upstream_error", f"The model server reported an error: {detail}")
    out = Chunk()
    usage = payload.get("usage")
    if isinstance(usage, dict):
        out.prompt_tokens = _count(usage.get("prompt_tokens"))
        out.completion_tokens = _count(usage.get("completion_tokens"))
        details = usage.get("completion_tokens_details")
        out.reasoning_tokens = _count(details.get("reasoning_tokens")) if isinstance(details, dict) else None
    if choices := payload.get("choices"):
        choice = choices[0]
        delta = choice.get("delta") or {}
        finish_reason = choice.get("finish_reason") or ""
        if not isinstance(finish_reason, str):
            raise TypeError("finish_reason must be a string")
        out.text = _text(delta.get("content"))
        # DeepSeek, llama.cpp and older vLLM name it `reasoning_content`; newer vLLM `reasoning`.
        out.reasoning = _text(delta.get("reasoning_content") or delta.get("reasoning"))
        out.tool_calls = [_fragment(place, call) for place, call in enumerate(delta.get("tool_calls") or ())]
        out.finish_reason = finish_reason[:32] or None
    return out


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError("text must be a string")
    # NUL is valid JSON text but not storable in Postgres text columns.
    return value.replace("\x00", "")


def _fragment(place: int, call: dict[str, Any]) -> ToolFragment:
    """A `delta.tool_calls` entry; a server that leaves out the index gives them in order."""
    function = call.get("function") or {}
    index = call.get("index", place)
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < MAX_TOOL_CALLS:
        raise TypeError("a tool call's index must be a small integer")
    call_id, name = call.get("id"), function.get("name")
    if not isinstance(call_id, str | None) or not isinstance(name, str | None):
        raise TypeError("a tool call's id and name must be strings")
    return ToolFragment(index, call_id or None, _text(name) or None, _text(function.get("arguments")))


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def untransformed(
    messages: list[dict[str, Any]], model_params: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The messages (and a /v1 request's parameters for the model) as `extra_body`, which the SDK sends
    as it is.

    Given as `messages`, the SDK walks them against its parameter types first: 0.1 ms a message,
    160 ms for a long conversation's prompt (docs/performance.md). Ours are built in OpenAI's shape
    (worker/prompt.py).
    """
    return {**(model_params or {}), "messages": messages}


async def stream_chat(
    client: AsyncOpenAI,
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    model_params: dict[str, Any] | None = None,
) -> AsyncGenerator[Chunk, None]:
    """Yield text deltas, then the finish reason and usage; leaving early closes the HTTP stream.

    The SDK makes the request and raises its HTTP errors; the body is read here (worker/sse_decoder.py).
    """
    request = client.chat.completions.with_streaming_response.create(
        model=model,
        messages=[],
        max_tokens=max_tokens,
        stream=True,
        stream_options={"include_usage": True},
        extra_body=untransformed(messages, model_params),
    )
    async with request as response:
        async for data in sse_data(response.iter_bytes()):
            try:
                chunk = read_chunk(data)
            except (ValueError, TypeError, AttributeError, IndexError) as error:
                raise AnswerFailure("bad_response", BAD_RESPONSE) from error
            if chunk is not None:
                yield chunk


@dataclass(frozen=True, slots=True)
class Reply:
    """A short answer, not streamed (a title's), and the server's usage for it when it said."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


async def complete_chat(
    client: AsyncOpenAI, model: str, messages: list[dict[str, Any]], max_tokens: int
) -> Reply:
    """One short answer, not streamed (a title)."""
    response = await client.chat.completions.create(
        model=model, messages=[], max_tokens=max_tokens, extra_body=untransformed(messages)
    )
    text = (response.choices[0].message.content or "") if response.choices else ""
    usage = response.usage
    return Reply(
        text.replace("\x00", ""),
        _count(usage.prompt_tokens) if usage else None,
        _count(usage.completion_tokens) if usage else None,
    )
