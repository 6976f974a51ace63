"""A Chat Completions request as relaychat answers it: a new conversation from the API, its
system and developer messages the system prompt, the rest its turns (api/starting.py)."""

from collections.abc import Collection, Sequence
from typing import Any

from pydantic import BaseModel

from api.openai.chat_schemas import NOT_OFFERED, ChatCompletionRequest, ChatMessage
from api.openai.input_files import FilePart, chat_file_part, file_parts
from api.refusals import Invalid, NotFound
from api.starting import Turn, Turns
from core.catalog import Capability, Catalog, ModelSpec, UnknownModel
from core.models import MODEL_PARAMS, Role


def text_of(
    content: object,
    param: str,
    part_types: Collection[str],
    field: str = "content",
    file_types: Collection[str] = (),
) -> str:
    """A message's text (or a tool output's, `field`): a string, or its text parts joined; parts
    of `file_types` (a user message's files, read by `file_parts`) are left to the question's
    attachments; anything else is refused."""
    if content is None or isinstance(content, str):
        return content or ""
    if not isinstance(content, list):
        raise Invalid("must be a string or a list of content parts", param=f"{param}.{field}")
    texts = []
    for part in content:
        if isinstance(part, dict) and part.get("type") in file_types:
            continue
        if (
            not isinstance(part, dict)
            or part.get("type") not in part_types
            or not isinstance(part.get("text"), str)
        ):
            allowed = "text, image and file parts are" if file_types else "text parts are"
            raise Invalid(f"only {allowed} supported", param=f"{param}.{field}")
        texts.append(part["text"])
    return "".join(texts)


def model_named(catalog: Catalog, name: str) -> ModelSpec:
    try:
        return catalog.get(name)
    except UnknownModel:
        raise NotFound(f"The model `{name}` does not exist") from None


def refuse_missing(
    model: ModelSpec, asked: dict[str, Any], name: str, capability: Capability, *, param: str | None = None
) -> None:
    """`name` asked of a model that lacks the capability it needs is refused, naming the request's
    parameter (`param`, else `name`) and the model."""
    if name in asked and not model.supports(capability):
        words = capability.replace("_", " ")
        raise Invalid(f"the model `{model.id}` does not support {words}", param=param or name)


def refuse_not_offered(extra: dict[str, object] | None, not_offered: dict[str, tuple[object, ...]]) -> None:
    """A parameter relaychat does not offer is accepted only with a value that asks for nothing."""
    for name, value in (extra or {}).items():
        if name in not_offered and value is not None and value not in not_offered[name]:
            raise Invalid("relaychat does not support this parameter", param=name)


# The model's parameters a request's fields give as they are; the rest are shaped first.
AS_ASKED = tuple(
    name
    for name in MODEL_PARAMS
    if name not in ("response_format", "tools", "tool_choice", "parallel_tool_calls")
)


def _check_supported(body: ChatCompletionRequest) -> None:
    refuse_not_offered(body.model_extra, NOT_OFFERED)
    if body.n is not None and body.n > 1:
        raise Invalid("relaychat answers one choice per request", param="n")


def tool_params(tools: list[dict[str, Any]], choice: object, parallel: bool | None) -> dict[str, Any]:
    """The model's tools (Chat Completions' shape) with how it may use them; no tools ask nothing,
    so their choice and parallelism go with them."""
    if not tools:
        if choice not in (None, "none", "auto"):
            raise Invalid("a tool must be given for the model to call one", param="tool_choice")
        return {}
    names = {tool["function"]["name"] for tool in tools}
    if len(names) < len(tools):
        raise Invalid("each tool must have a name of its own", param="tools")
    if isinstance(choice, dict) and choice["function"]["name"] not in names:
        raise Invalid(f"no tool is named `{choice['function']['name']}`", param="tool_choice")
    params: dict[str, Any] = {"tools": tools}
    if choice is not None:
        params["tool_choice"] = choice
    if parallel is not None:
        params["parallel_tool_calls"] = parallel
    return params


def _tool_calls(message: ChatMessage) -> list[dict[str, Any]] | None:
    return [call.model_dump() for call in message.tool_calls] if message.tool_calls else None


FILE_PARTS = ("image_url", "file")


def chat_files(catalog: Catalog, body: ChatCompletionRequest, max_upload_mb: float) -> list[FilePart]:
    """The files the request's user messages bring (`image_url`, `file` parts), checked before
    anything is stored (api/openai/input_files.py)."""
    model = model_named(catalog, body.model)
    contents = [(m.content, f"messages[{i}]") for i, m in enumerate(body.messages) if m.role == "user"]
    return file_parts(contents, chat_file_part, model, max_upload_mb)


def chat_turns(
    catalog: Catalog, owner: str, body: ChatCompletionRequest, files: Sequence[tuple[str, str]] = ()
) -> Turns:
    """What the request asks: its messages as a new conversation of the owner's, answered with its
    model, its tools and its sampling parameters; `files` (ids, with the parts that brought them)
    go with its question."""
    _check_supported(body)
    model = model_named(catalog, body.model)
    system: list[str] = []
    turns: list[Turn] = []
    for index, message in enumerate(body.messages):
        file_types = FILE_PARTS if message.role == "user" else ()
        text = text_of(message.content, f"messages[{index}]", ("text",), file_types=file_types)
        if message.role in ("system", "developer"):
            system.append(text)
        else:
            role, param = Role(message.role), f"messages[{index}]"
            turns.append(Turn(role, text, param, _tool_calls(message), message.tool_call_id))
    params = {name: value for name in AS_ASKED if (value := getattr(body, name)) is not None}
    # As the model server is asked for them: nothing for text, no tools for none.
    if body.response_format is not None and (asked := body.response_format.for_model()):
        params["response_format"] = asked
    choice = body.tool_choice.model_dump() if isinstance(body.tool_choice, BaseModel) else body.tool_choice
    tools = [tool.model_dump(exclude_none=True) for tool in body.tools or ()]
    params |= tool_params(tools, choice, body.parallel_tool_calls)
    refuse_missing(model, params, "tools", "tools")
    refuse_missing(model, params, "response_format", "structured_outputs")
    refuse_missing(model, params, "reasoning_effort", "reasoning")
    if (max_tokens := body.max_completion_tokens or body.max_tokens) is not None:
        params["max_tokens"] = max_tokens
    return Turns(
        owner=owner,
        param="messages",
        conversation=None,
        parent_id=None,
        turns=turns,
        model=model,
        system_prompt="\n\n".join(text for text in system if text),
        params=params,
        files=files,
    )
