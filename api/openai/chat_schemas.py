"""Bodies of the OpenAI-compatible Chat Completions route, in OpenAI's names and shapes."""

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.schemas import error_responses

# Parameters of OpenAI's API that relaychat does not offer, each with the values that ask for
# nothing (as clients send by default): those are accepted; any other is refused with a 400
# naming the parameter, rather than answered as if it had not been asked. null is always accepted.
NOT_OFFERED: dict[str, tuple[object, ...]] = {
    # The deprecated forerunners of `tools` and `tool_choice`, which every SDK has replaced.
    "functions": ([],),
    "function_call": ("none", "auto"),
    "audio": (),
    "modalities": (["text"],),
    "logprobs": (False,),
    "top_logprobs": (0,),
    "prediction": (),
    "web_search_options": (),
    "verbosity": ("medium",),  # OpenAI's default
}

# A structured output's schema, serialized: sent to the model with every attempt and stored with
# the answer's parameters, so it is bounded like the rest of a request.
MAX_SCHEMA_CHARS = 64_000


MAX_TURNS = 2048
"""Messages in one request; what they say together is bounded by the model's window (api/starting.py)."""

MAX_TOOLS = 128  # OpenAI's bound on a request's tools
MAX_TOOL_CALLS = 128  # calls in one assistant message
FunctionName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
CallId = Annotated[str, Field(min_length=1, max_length=100)]


# OpenAI's bounds: up to 4 sequences.
Stop = (
    Annotated[str, Field(max_length=256)]
    | Annotated[list[Annotated[str, Field(max_length=256)]], Field(max_length=4)]
)


def bounded_schema(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """A JSON schema (a structured output's, a tool's parameters) within MAX_SCHEMA_CHARS."""
    if schema is not None and len(json.dumps(schema)) > MAX_SCHEMA_CHARS:
        raise ValueError(f"a schema may hold at most {MAX_SCHEMA_CHARS:,} characters")
    return schema


class FunctionCall(BaseModel):
    """The function an assistant message's tool call calls, with its arguments as JSON text."""

    name: FunctionName
    arguments: str


class ToolCall(BaseModel):
    """One of an assistant message's `tool_calls`."""

    model_config = ConfigDict(extra="ignore")

    id: CallId
    type: Literal["function"] = "function"
    function: FunctionCall


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")  # `name` and the like: accepted, not used

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[ToolCall] | None = Field(None, max_length=MAX_TOOL_CALLS)
    tool_call_id: CallId | None = None

    @model_validator(mode="after")
    def _tool_fields_with_their_role(self) -> "ChatMessage":
        if (self.role == "tool") != (self.tool_call_id is not None):
            raise ValueError("tool_call_id is given with, and only with, a tool message")
        if self.tool_calls and self.role != "assistant":
            raise ValueError("only an assistant message makes tool_calls")
        return self


class FunctionDefinition(BaseModel):
    """A function the model may call: its name, what it does, and its arguments' JSON schema."""

    model_config = ConfigDict(extra="forbid")

    name: FunctionName
    description: str | None = Field(None, max_length=8000)
    parameters: dict[str, Any] | None = None
    strict: bool | None = None

    _bounded = field_validator("parameters")(bounded_schema)


def functions_only(tool: Any) -> Any:
    """A tool must be a function: the hosted tools (web search, file search, code interpreter)
    are OpenAI's own, and relaychat's models have none of them."""
    if isinstance(tool, dict) and tool.get("type") != "function":
        raise ValueError(f"only function tools are supported, not `{tool.get('type')}`")
    return tool


class Tool(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["function"]
    function: FunctionDefinition

    _functions_only = model_validator(mode="before")(functions_only)


class NamedFunction(BaseModel):
    name: FunctionName


class FunctionChoice(BaseModel):
    """`tool_choice` naming the one function the model must call."""

    type: Literal["function"]
    function: NamedFunction


ToolChoice = Literal["none", "auto", "required"] | FunctionChoice


class SchemaFields(BaseModel):
    """What names and bounds a structured output's JSON schema: Chat Completions nests these
    under `response_format.json_schema`, the Responses API puts them in `text.format` itself."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    description: str | None = Field(None, max_length=1000)
    schema_: dict[str, Any] | None = Field(None, alias="schema")
    strict: bool | None = None

    _bounded = field_validator("schema_")(bounded_schema)

    def schema_fields(self) -> dict[str, Any]:
        """The fields as the model server is sent them."""
        return self.model_dump(by_alias=True, exclude_none=True, include=set(SCHEMA_FIELDS))


SCHEMA_FIELDS = frozenset(SchemaFields.model_fields)


class JsonSchema(SchemaFields):
    """`response_format.json_schema`: the schema the answer's JSON must follow."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class ResponseFormat(BaseModel):
    """What the answer must be: text (the default, nothing asked), a JSON object, or JSON following
    a schema. Passed on to the model, whose server enforces it."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchema | None = None

    @model_validator(mode="after")
    def _schema_with_its_type(self) -> "ResponseFormat":
        if (self.type == "json_schema") != (self.json_schema is not None):
            raise ValueError("json_schema is given with, and only with, the type json_schema")
        return self

    def for_model(self) -> dict[str, Any] | None:
        """As the model server is asked for it; None for text, which asks for nothing."""
        if self.json_schema is None:
            return None if self.type == "text" else {"type": self.type}
        return {"type": "json_schema", "json_schema": self.json_schema.schema_fields()}


class StreamOptions(BaseModel):
    include_usage: bool = False


TokenId = Annotated[str, Field(pattern=r"^\d{1,9}$")]  # as `logit_bias` names tokens


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
    response_format: ResponseFormat | None = None
    reasoning_effort: Literal["minimal", "low", "medium", "high"] | None = None
    # Token ids (as strings) to a bias from -100 to 100, as OpenAI bounds them.
    logit_bias: dict[TokenId, Annotated[int, Field(ge=-100, le=100)]] | None = Field(None, max_length=300)
    tools: list[Tool] | None = Field(None, max_length=MAX_TOOLS)
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    completion_tokens_details: dict[str, int] | None = None


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str | None
    # As DeepSeek, vLLM and llama.cpp give a reasoning model's thinking: beside the answer.
    reasoning_content: str | None = None
    tool_calls: list[ToolCall] | None = None


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
