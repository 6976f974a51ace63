"""Bodies of the account routes: sign-in, the user's sign-ins and API keys, and the admin's."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from core.models import SignupMode, UserRole, UserStatus
from core.passwords import MAX_LENGTH
from core.schemas import UtcDatetime

Password = Field(min_length=1, max_length=MAX_LENGTH)


def _storable(text: str) -> str:
    # Postgres cannot store NUL in text; refused here with a sentence rather than failing there.
    if "\x00" in text:
        raise ValueError("must not contain a NUL character")
    return text


Text = Annotated[str, AfterValidator(_storable)]


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    name: str
    role: UserRole
    status: UserStatus
    created_at: UtcDatetime


class AuthState(BaseModel):
    setup_required: bool
    signup: SignupMode
    user: UserRead | None


class Register(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Text = Field(min_length=3, max_length=320)
    password: str = Password
    name: Text = Field("", max_length=200)


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Text = Field(min_length=1, max_length=320)
    password: str = Password


class MeUpdate(BaseModel):
    """Changing the name or the password needs the current password."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Password
    name: Text | None = Field(None, min_length=1, max_length=200)
    new_password: str | None = Field(None, max_length=MAX_LENGTH)


class SignInRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    user_agent: str
    address: str
    created_at: UtcDatetime
    last_seen_at: UtcDatetime
    current: bool = False


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=100)


class KeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    created_at: UtcDatetime
    last_used_at: UtcDatetime | None


class KeyCreated(KeyRead):
    key: str = Field(description="The key itself: shown this once, stored only as a hash")


class AdminUserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Text = Field(min_length=3, max_length=320)
    password: str = Password
    name: Text = Field("", max_length=200)
    role: UserRole = UserRole.user


class AdminUserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: UserRole | None = None
    status: UserStatus | None = None


class SiteSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signup: SignupMode
    sharing: bool = Field(True, description="Whether conversations may be shared by link")


class SiteSettingsUpdate(BaseModel):
    """What to change; a setting left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    signup: SignupMode | None = None
    sharing: bool | None = None


class LimitsBody(BaseModel):
    """A set of limits; null: unlimited (a role's), or the role's (a user's own)."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    running_answers: int | None = Field(None, ge=0, le=100_000, description="Answers generating at once")
    waiting_answers: int | None = Field(None, ge=0, le=100_000, description="Answers waiting to start")
    tokens_per_day: int | None = Field(
        None, ge=0, le=10**15, description="Prompt and answer tokens per UTC day"
    )
    cost_per_month_usd: float | None = Field(
        None, ge=0, le=10**9, allow_inf_nan=False, description="Cost per UTC month, in dollars"
    )
    storage_mb: int | None = Field(None, ge=0, le=10**9, description="Uploaded files kept, in megabytes")


class RoleLimitsBody(BaseModel):
    """Each role's default limits."""

    model_config = ConfigDict(extra="forbid")

    admin: LimitsBody
    user: LimitsBody


class UserLimitsRead(BaseModel):
    user_id: str
    own: LimitsBody  # the admin's overrides for this user; null: the role's
    effective: LimitsBody  # what applies
