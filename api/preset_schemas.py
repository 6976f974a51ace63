"""The shapes of the preset routes: a prompt made, changed, and as the user reads it."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from core.schemas import UtcDatetime

Command = Annotated[
    str, Field(pattern=r"^[a-z0-9_-]{1,32}$", description="Typed as `/command`: a-z, 0-9, `-` and `_`")
]
Title = Annotated[str, Field(min_length=1, max_length=100)]
Content = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20_000,
        description="`{{clipboard}}` takes the clipboard's text; any other `{{name}}` is asked for",
    ),
]


class PresetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: Command
    title: Title
    content: Content
    shared: bool = Field(False, description="Offered to every user, read-only for them; an admin's alone")


class PresetUpdate(BaseModel):
    """Only the fields sent change; none may be null."""

    model_config = ConfigDict(extra="forbid")

    command: Command = None  # type: ignore[assignment]
    title: Title = None  # type: ignore[assignment]
    content: Content = None  # type: ignore[assignment]
    shared: bool = None  # type: ignore[assignment]


class PresetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    command: str
    title: str
    content: str
    shared: bool
    mine: bool = Field(description="The user's own, which they may change; false: another's, shared")
    created_at: UtcDatetime
    updated_at: UtcDatetime
