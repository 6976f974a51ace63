"""Accounts from the user's side: setting up the first, signing up, in and out, the user's own
details and sign-ins (`/sessions`, the browsers signed in)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.auth import CROSS_SITE, SIGN_IN_COOKIE, UserDep, is_same_site
from api.accounts.authenticator import Principal
from api.accounts.schemas import AuthState, Login, MeUpdate, Register, SignInRead, UserRead
from api.accounts.throttle import attempt_login, count_password_check, count_registration, succeeded
from api.deps import ApiDeps, DepsDep, SessionDep
from api.lookups import SignInDep
from api.routing import CheckedRoute
from core import accounts
from core.accounts import AccountError
from core.models import SignIn, SignupMode, User, UserStatus
from core.passwords import WeakPassword, hash_password, needs_rehash, verify

router = APIRouter(route_class=CheckedRoute, prefix="/auth", tags=["auth"])

WRONG_PASSWORD = "The email address or the password is wrong."
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers' cap: the server's idle expiry is what ends a sign-in


async def _same_site(request: Request) -> None:
    # Signing in or up from another site could sign a browser into someone else's account.
    if not is_same_site(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, CROSS_SITE)


SAME_SITE = Depends(_same_site)


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


async def _sign_in_browser(
    request: Request, response: Response, session: AsyncSession, deps: ApiDeps, user: User
) -> None:
    """Sign the browser in; the user's oldest sign-ins past the most they may hold are ended."""
    settings = deps.settings
    agent, address = request.headers.get("user-agent", ""), _address(request)
    token, _, ended = await accounts.sign_in(
        session, user, settings.session_idle, agent, address, settings.max_sign_ins_per_user
    )
    for sign_in_id in ended:
        await deps.revocations.revoke(deps.redis, sign_in_id=sign_in_id)
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


async def _user(session: AsyncSession, principal: Principal) -> User:
    user = await session.get(User, principal.user_id)
    if user is None:  # deleted a moment ago: its sign-ins are going too
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.")
    return user


async def _cookie_principal(request: Request, deps: DepsDep) -> Principal | None:
    # A dependency declared before the route's session, so it runs first: the authenticator opens a
    # session of its own, and on SQLite (one pooled connection) it would otherwise wait for the
    # route's, which waits for it.
    token = request.cookies.get(SIGN_IN_COOKIE)
    return await deps.authenticator.by_sign_in(token) if token else None


@router.get("/state")
async def auth_state(
    principal: Annotated[Principal | None, Depends(_cookie_principal)], session: SessionDep
) -> AuthState:
    """Open to anyone: whether the first account is still to be made, the signup mode, and who is
    signed in (null when nobody is)."""
    user = await session.get(User, principal.user_id) if principal else None
    return AuthState(
        setup_required=await accounts.user_count(session) == 0,
        signup=await accounts.signup_mode(session),
        user=UserRead.model_validate(user) if user else None,
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    dependencies=[SAME_SITE],
    responses={202: {"description": "Signed up; an admin must approve the account before it signs in"}},
)
async def register(
    body: Register, request: Request, response: Response, session: SessionDep, deps: DepsDep
) -> UserRead:
    """The very first account is an active admin, signed in at once. Afterwards the signup mode
    decides: `open` (active, signed in), `approval` (202: pending until an admin approves),
    `closed` (403)."""
    await count_registration(deps.redis, _address(request))
    first = await accounts.user_count(session) == 0
    mode = SignupMode.open if first else await accounts.signup_mode(session)
    if mode == SignupMode.closed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Sign-ups are closed: ask an admin for an account.")
    pending = mode == SignupMode.approval
    try:
        user = await accounts.create_user(
            session,
            body.email,
            body.password,
            name=body.name,
            status=UserStatus.pending if pending else UserStatus.active,
            first=first,
        )
    except accounts.EmailTaken as taken:
        raise HTTPException(status.HTTP_409_CONFLICT, str(taken)) from None
    except (AccountError, WeakPassword) as refusal:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(refusal)) from None
    if pending:
        response.status_code = status.HTTP_202_ACCEPTED
    else:
        await _sign_in_browser(request, response, session, deps, user)
    return UserRead.model_validate(user)


@router.post("/login", dependencies=[SAME_SITE])
async def login(
    body: Login, request: Request, response: Response, session: SessionDep, deps: DepsDep
) -> UserRead:
    """Sign in: a cookie (HttpOnly, SameSite=Lax). A wrong password and an unknown email
    get the same answer in the same time; after 5 failures in 15 minutes, 429."""
    account, address = body.email.strip().lower(), _address(request)
    await attempt_login(deps.redis, account, address)
    user = await accounts.find_by_email(session, body.email)
    await session.commit()  # no connection (on SQLite, no write lock) is held while argon2 runs
    if not await verify(user.password_hash if user else None, body.password, signing_in=True) or user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, WRONG_PASSWORD)
    await succeeded(deps.redis, account, address)
    if user.status == UserStatus.pending:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "An admin has not approved this account yet.")
    if user.status == UserStatus.disabled:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This account is disabled.")
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password(body.password, signing_in=True)
        session.add(user)
    await _sign_in_browser(request, response, session, deps, user)
    return UserRead.model_validate(user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(principal: UserDep, session: SessionDep, deps: DepsDep) -> Response:
    """End this sign-in on the server (a key signs nothing out)."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    if principal.sign_in_id:
        await session.exec(delete(SignIn).where(col(SignIn.id) == principal.sign_in_id))
        await session.commit()
        await deps.revocations.revoke(deps.redis, sign_in_id=principal.sign_in_id)
    return response


@router.get("/me")
async def read_me(principal: UserDep, session: SessionDep) -> UserRead:
    return UserRead.model_validate(await _user(session, principal))


@router.patch("/me")
async def update_me(
    body: MeUpdate, principal: UserDep, request: Request, session: SessionDep, deps: DepsDep
) -> UserRead:
    """Change the name or the password, with the current password. A new password ends every other
    sign-in of the user."""
    user = await _user(session, principal)
    await session.commit()  # no connection (on SQLite, no write lock) is held while argon2 runs
    await count_password_check(deps.redis, user.id)  # right or wrong: a success gives nothing back
    if not await verify(user.password_hash, body.current_password):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The current password is wrong.")
    if body.name is not None:
        user.name = body.name.strip() or user.name
        session.add(user)
    if body.new_password:
        try:
            await accounts.set_password(session, user, body.new_password)
        except WeakPassword as weak:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(weak)) from None
    await session.commit()
    read = UserRead.model_validate(user)
    if body.new_password:
        for ended in await accounts.end_sign_ins(session, user.id, keep=principal.sign_in_id):
            await deps.revocations.revoke(deps.redis, sign_in_id=ended)
    return read


@router.get("/sessions")
async def list_sign_ins(principal: UserDep, session: SessionDep) -> list[SignInRead]:
    """The user's signed-in browsers, newest first; `current` marks this one."""
    rows = await session.exec(
        select(SignIn).where(SignIn.user_id == principal.user_id).order_by(col(SignIn.last_seen_at).desc())
    )
    return [
        SignInRead.model_validate(row).model_copy(update={"current": row.id == principal.sign_in_id})
        for row in rows
    ]


@router.delete("/sessions/{sign_in_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_sign_in(signed_in: SignInDep, session: SessionDep, deps: DepsDep) -> Response:
    """Sign a browser out: its requests and open streams end within seconds, on every API process."""
    await session.delete(signed_in)
    await session.commit()
    await deps.revocations.revoke(deps.redis, sign_in_id=signed_in.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
