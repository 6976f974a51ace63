"""Bodies of the OpenAI-compatible Chat Completions route, in OpenAI's names and shapes."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import error_responses

# Parameters of OpenAI's API that relaychat does not offer: a request that sets one is refused
# with a 400 naming it, rather than answered as if it had not been asked.
UNSUPPORTED = (
    "tools",
    "tool_choice",
    "functions",
    "function_call",
    "parallel_tool_calls",
    "audio",
    "modalities",
    "logprobs",
    "top_logprobs",
    "response_format",
    "prediction",
    "web_search_options",
)


MAX_TURNS = 2048
"""Messages in one request; what they say together is bounded by the model's window (api/starting.py)."""


# OpenAI's bounds: up to 4 sequences.
Stop = (
    Annotated[str, Field(max_length=256)]
    | Annotated[list[Annotated[str, Field(max_length=256)]], Field(max_length=4)]
)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")  # `name` and the like: accepted, not used

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[dict[str, Any]] | None = None


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_TURNS)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, ge=0, le=1)
    stop: Stop | None = None
    seed: int | None = None
    presence_penalty: float | None = Field(None, ge=-2, le=2)
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    user: str | None = Field(None, max_length=256)
    n: int | None = Field(None, ge=1)


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: str


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage


class OpenAIError(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIErrorBody(BaseModel):
    """Every error of the OpenAI-compatible routes (api/openai/errors.py)."""

    error: OpenAIError


OPENAI_ERRORS = error_responses(
    OpenAIErrorBody,
    {
        400: "Invalid request: `param` names what is wrong",
        401: "No valid API key",
        403: "Not allowed",
        404: "Unknown model or object",
        409: "Conflicts with the current state",
        429: "Over one of the user's limits; see Retry-After",
        503: "Redis or the database is unavailable",
    },
)
