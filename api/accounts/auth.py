"""Who is asking, on every request but signing in and up: a sign-in's cookie (browsers) or an
API key (programs), checked by the process's `Authenticator`; an admin for the admin's routes."""

from typing import Annotated

from fastapi import Depends, Request

from api.accounts.authenticator import Principal
from api.deps import DepsDep
from api.refusals import Forbidden, NotSignedIn

SIGN_IN_COOKIE = "relaychat_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

NOT_SIGNED_IN = "Sign in, or send an API key as `Authorization: Bearer <key>`."
ENDED = "Your session has ended, or the API key is not valid: sign in again."
CROSS_SITE = "This request came from another site; relaychat only accepts it from its own pages."
ADMINS_ONLY = "Only an admin can do this."


def is_same_site(request: Request) -> bool:
    """Whether a browser sent this from relaychat's own pages (a program sends neither header).

    `Sec-Fetch-Site` where the browser sends it; else the `Origin` a browser puts on every
    cross-site POST, PATCH and DELETE, compared with the address the request was sent to.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


async def _current(request: Request, deps: DepsDep) -> Principal:
    authenticator = deps.authenticator
    # What the cache had forgotten when this request was checked: a stream it opens later asks
    # whether a revocation came in between (api/accounts/revocations.py).
    request.state.checked_at = authenticator.generation
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credential.strip():
        # Only an API key: a sign-in's token is no key (it is not meant to leave the browser).
        principal = await authenticator.by_key(credential.strip())
    elif token := request.cookies.get(SIGN_IN_COOKIE):
        if request.method not in SAFE_METHODS and not is_same_site(request):
            raise Forbidden(CROSS_SITE)
        principal = await authenticator.by_sign_in(token)
    else:
        raise NotSignedIn(NOT_SIGNED_IN)
    if principal is None:
        raise NotSignedIn(ENDED)
    return principal


async def _admin(principal: Annotated[Principal, Depends(_current)]) -> Principal:
    if not principal.is_admin:
        raise Forbidden(ADMINS_ONLY)
    return principal


SIGNED_IN = Depends(_current)
"""For routers whose every route needs a signed-in user. A router's dependencies are solved before
its routes' parameters, so the check (with a database session of its own on a cache miss) never
waits for the route's session: SQLite's pool has one connection."""
ADMIN = Depends(_admin)

UserDep = Annotated[Principal, SIGNED_IN]
AdminDep = Annotated[Principal, ADMIN]
