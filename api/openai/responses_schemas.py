"""Bodies of the OpenAI-compatible Responses routes, in OpenAI's names and shapes."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from api.openai.chat_schemas import (
    MAX_TOOLS,
    SCHEMA_FIELDS,
    FunctionDefinition,
    FunctionName,
    SchemaFields,
    functions_only,
)

RESPONSE_PREFIX = "resp_"
MAX_INSTRUCTIONS = 32_000  # as a conversation's system prompt
OUTPUT_PREFIX = "msg_"
REASONING_PREFIX = "rs_"
CALL_PREFIX = "fc_"
MCP_CALL_PREFIX = "mcp_"
MCP_LIST_PREFIX = "mcpl_"

ResponseStatus = Literal["queued", "in_progress", "completed", "incomplete", "cancelled", "failed"]
ItemStatus = Literal["in_progress", "completed", "incomplete"]
# Parameters of OpenAI's Responses API that relaychat does not offer, each with the values that ask
# for nothing: those are accepted, any other is refused with a 400 naming the parameter.
NOT_OFFERED: dict[str, tuple[object, ...]] = {
    "conversation": (),
    "prompt": (),
    "include": ([],),
    "top_logprobs": (0,),
    "truncation": ("auto",),  # what relaychat does: the oldest turns that do not fit are left out
}


class TextFormat(SchemaFields):
    """`text.format`: text (nothing asked), a JSON object, or JSON following a schema."""

    type: Literal["text", "json_object", "json_schema"]

    @model_validator(mode="after")
    def _fields_of_its_type(self) -> "TextFormat":
        if self.type == "json_schema" and (not self.name or self.schema_ is None):
            raise ValueError("a json_schema format needs a name and a schema")
        if self.type != "json_schema" and SCHEMA_FIELDS & self.model_fields_set:
            raise ValueError(f"a {self.type} format takes only its type")
        return self

    def for_model(self) -> dict[str, Any] | None:
        """As Chat Completions' `response_format`, how the model server is asked; None for text."""
        if self.type != "json_schema":
            return None if self.type == "text" else {"type": self.type}
        return {"type": "json_schema", "json_schema": self.schema_fields()}


class ResponseText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: TextFormat = TextFormat(type="text")


class ResponseReasoning(BaseModel):
    """`reasoning`: the effort is passed on to the model; summaries are not offered."""

    model_config = ConfigDict(extra="forbid")

    effort: Literal["minimal", "low", "medium", "high"] | None = None


class FunctionTool(FunctionDefinition):
    """A function tool as the Responses API gives it: its definition flat, beside its type."""

    type: Literal["function"]

    _functions_only = model_validator(mode="before")(functions_only)

    def for_model(self) -> dict[str, Any]:
        """As Chat Completions' `tools` hold it, which is how the model server is asked."""
        return {"type": "function", "function": self.model_dump(exclude={"type"}, exclude_none=True)}


class McpToolFilter(BaseModel):
    """`allowed_tools` as a filter: the tools it names (relaychat does not keep tools' hints, so
    `read_only` is not offered)."""

    model_config = ConfigDict(extra="forbid")

    tool_names: list[Annotated[str, Field(max_length=128)]] | None = Field(None, max_length=MAX_TOOLS)


class McpTool(BaseModel):
    """An `mcp` tool: the tools of an MCP server an admin registered, named by `server_label`.
    relaychat's workers call them in the answer's own tool loop; a client never brings a server
    (a `server_url` must be the registered one), nor its credentials, and no call awaits approval."""

    model_config = ConfigDict(extra="allow")

    type: Literal["mcp"]
    server_label: str = Field(min_length=1, max_length=64)
    server_url: str | None = Field(None, max_length=2000)
    server_description: str | None = Field(None, max_length=2000)
    # The bound on the list alone: on the union, pydantic applies it to a filter too, and fails.
    allowed_tools: (
        Annotated[list[Annotated[str, Field(max_length=128)]], Field(max_length=MAX_TOOLS)]
        | McpToolFilter
        | None
    ) = None
    require_approval: Literal["never"] | None = None

    @model_validator(mode="after")
    def _nothing_else(self) -> "McpTool":
        # A registered server's credentials are the admin's, and connectors are OpenAI's own.
        for name, value in (self.model_extra or {}).items():
            if value is not None:
                raise ValueError(f"`{name}` is not supported: the server is used as it was registered")
        return self

    def allowed(self) -> list[str] | None:
        """The tool names the client allowed; None for all of the server's."""
        if isinstance(self.allowed_tools, McpToolFilter):
            return self.allowed_tools.tool_names
        return self.allowed_tools


def function_or_mcp(tool: Any) -> Any:
    """A tool must be a function or an MCP server: the other hosted tools are OpenAI's own."""
    if isinstance(tool, dict) and tool.get("type") not in ("function", "mcp"):
        raise ValueError(f"only function and mcp tools are supported, not `{tool.get('type')}`")
    return tool


ResponseTool = Annotated[
    Annotated[FunctionTool | McpTool, Field(discriminator="type")], BeforeValidator(function_or_mcp)
]


class FunctionToolChoice(BaseModel):
    """`tool_choice` naming the one function the model must call."""

    type: Literal["function"]
    name: FunctionName


class ResponseRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1, max_length=200)
    input: str | list[dict[str, Any]] = Field(min_length=1)
    instructions: str | None = Field(None, max_length=MAX_INSTRUCTIONS)
    stream: bool = False
    background: bool = False
    store: bool = True
    previous_response_id: str | None = Field(None, max_length=100)
    max_output_tokens: int | None = Field(None, ge=16)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, ge=0, le=1)
    user: str | None = Field(None, max_length=256)
    # OpenAI's own bounds: 16 pairs, keys of 64 characters, values of 512.
    metadata: dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=512)]] | None = (
        Field(None, max_length=16)
    )
    text: ResponseText | None = None
    reasoning: ResponseReasoning | None = None
    tools: list[ResponseTool] | None = Field(None, max_length=MAX_TOOLS)
    tool_choice: Literal["none", "auto", "required"] | FunctionToolChoice | None = None
    parallel_tool_calls: bool | None = None


class OutputText(BaseModel):
    type: Literal["output_text"] = "output_text"
    text: str
    annotations: list[Any] = []


class OutputMessage(BaseModel):
    id: str
    type: Literal["message"] = "message"
    status: ItemStatus
    role: Literal["assistant"] = "assistant"
    content: list[OutputText]


class ReasoningText(BaseModel):
    type: Literal["reasoning_text"] = "reasoning_text"
    text: str


class ReasoningItem(BaseModel):
    """What a reasoning model thought, as OpenAI gives an open model's reasoning (`reasoning_text`)."""

    id: str
    type: Literal["reasoning"] = "reasoning"
    status: ItemStatus
    summary: list[Any] = []
    content: list[ReasoningText]


class FunctionCallItem(BaseModel):
    """A call the model made: the client runs it and sends a `function_call_output` back."""

    id: str
    type: Literal["function_call"] = "function_call"
    status: ItemStatus
    call_id: str
    name: str
    arguments: str


class McpListedTool(BaseModel):
    name: str
    description: str | None = None
    input_schema: dict[str, Any]


class McpListToolsItem(BaseModel):
    """The tools of a registered server that a response's `mcp` tool allowed, as relaychat's
    workers last listed them (when it was asked for, not while it ran)."""

    id: str
    type: Literal["mcp_list_tools"] = "mcp_list_tools"
    server_label: str
    tools: list[McpListedTool]
    error: str | None = None


class McpCallError(BaseModel):
    """Why a call gave nothing, in OpenAI's shape of a tool's own error: the sentence as its text."""

    type: Literal["mcp_tool_execution_error"] = "mcp_tool_execution_error"
    content: list[dict[str, str]]


class McpCallItem(BaseModel):
    """A tool the answer's tool loop called on a registered server: its output, or its error."""

    id: str
    type: Literal["mcp_call"] = "mcp_call"
    status: Literal["in_progress", "completed", "incomplete", "failed"]
    server_label: str
    name: str
    arguments: str
    output: str | None = None
    error: McpCallError | None = None


OutputItem = McpListToolsItem | OutputMessage | ReasoningItem | McpCallItem | FunctionCallItem


class ResponseUsage(BaseModel):
    input_tokens: int
    input_tokens_details: dict[str, int] = {"cached_tokens": 0}
    output_tokens: int
    output_tokens_details: dict[str, int] = {"reasoning_tokens": 0}
    total_tokens: int


class ResponseError(BaseModel):
    code: str
    message: str


class IncompleteDetails(BaseModel):
    reason: str


class ResponseBody(BaseModel):
    """A response as `GET /v1/responses/{id}` returns it and its stream's events carry it."""

    id: str
    object: Literal["response"] = "response"
    created_at: int
    status: ResponseStatus
    background: bool
    error: ResponseError | None
    incomplete_details: IncompleteDetails | None
    instructions: str | None
    max_output_tokens: int | None
    metadata: dict[str, str]
    model: str
    output: list[OutputItem]
    parallel_tool_calls: bool = True
    previous_response_id: str | None
    store: bool
    temperature: float | None
    text: dict[str, Any] = {"format": {"type": "text"}}
    tool_choice: str | dict[str, Any] = "auto"
    tools: list[dict[str, Any]] = []
    top_p: float | None
    # The oldest turns that do not fit the window are left out (docs/architecture.md).
    truncation: str = "auto"
    usage: ResponseUsage | None
    user: str | None


class DeletedResponse(BaseModel):
    id: str
    object: Literal["response"] = "response"
    deleted: Literal[True] = True


class InputText(BaseModel):
    type: Literal["input_text", "output_text"]
    text: str


class InputMessage(BaseModel):
    id: str
    type: Literal["message"] = "message"
    role: Literal["user", "assistant"]
    status: Literal["completed"] = "completed"
    content: list[InputText]


class FunctionCallOutput(BaseModel):
    """A tool's result the client sent back for a call (`call_id`)."""

    id: str
    type: Literal["function_call_output"] = "function_call_output"
    status: Literal["completed"] = "completed"
    call_id: str
    output: str


class InputItemList(BaseModel):
    """`GET /v1/responses/{id}/input_items`: the items the request gave."""

    object: Literal["list"] = "list"
    data: list[InputMessage | FunctionCallItem | FunctionCallOutput]
    first_id: str | None
    last_id: str | None
    has_more: bool
