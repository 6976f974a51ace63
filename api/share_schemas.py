"""The shapes of the share routes: a link just made, and whether a conversation has one."""

from pydantic import BaseModel, Field

from core.schemas import UtcDatetime


class ShareCreated(BaseModel):
    token: str = Field(description="The link's secret: shown this once, stored only as a hash")
    url: str = Field(description="The link's path on this site, `/share/<token>`")
    created_at: UtcDatetime


class ShareState(BaseModel):
    shared: bool = Field(description="Whether the conversation has a link (its token is never shown again)")
    created_at: UtcDatetime | None = Field(description="When its copy was made; null: not shared")
    enabled: bool = Field(description="Whether an admin allows sharing: while not, no link opens")
