"""api/openai/responses_schemas.py: what a Responses request's `mcp` tool may say."""

import pytest
from pydantic import ValidationError

from api.openai.chat_schemas import MAX_TOOLS
from api.openai.responses_schemas import McpTool


def test_allowed_tools_as_an_empty_filter_allows_every_tool() -> None:
    """Regression: `allowed_tools: {}` was a 500, the list's bound applied to the filter too."""
    tool = McpTool.model_validate({"type": "mcp", "server_label": "clock", "allowed_tools": {}})
    assert tool.allowed() is None


def test_allowed_tools_as_a_list_or_a_filter_names_them() -> None:
    listed = McpTool.model_validate({"type": "mcp", "server_label": "clock", "allowed_tools": ["now"]})
    filtered = {"type": "mcp", "server_label": "clock", "allowed_tools": {"tool_names": ["now"]}}
    assert listed.allowed() == McpTool.model_validate(filtered).allowed() == ["now"]


def test_too_many_allowed_tools_are_a_validation_error() -> None:
    names = [f"t{i}" for i in range(MAX_TOOLS + 1)]
    for allowed in (names, {"tool_names": names}):
        with pytest.raises(ValidationError):
            McpTool.model_validate({"type": "mcp", "server_label": "clock", "allowed_tools": allowed})
