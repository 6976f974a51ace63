"""The one mapping from what went wrong to a response: a refusal (api/refusals.py), a route's
`HTTPException`, a body that does not validate, an outage. Every body has a sentence: `detail`
in the app's shape, OpenAI's shape on `/v1/…`; 503 with `Retry-After` while Redis or the DB is down."""

import logging
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.openai.errors import invalid_request, is_openai, openai_error
from api.refusals import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    NotSignedIn,
    Refusal,
    TooLarge,
    TooMany,
    TooSlow,
)

logger = logging.getLogger(__name__)


def _sentence(error: dict[str, Any]) -> str:
    parts: Iterable[object] = error.get("loc", ())
    location = [str(part) for part in parts if part not in ("body", "query", "path", "header")]
    where = ".".join(location)
    return f"{where}: {error.get('msg')}" if where else str(error.get("msg"))


# The status of each refusal, in the app and on the OpenAI-compatible routes, where a request
# that cannot be (an empty message, one too long for the model) is OpenAI's 400.
_STATUS: dict[type[Refusal], tuple[int, int]] = {
    NotSignedIn: (status.HTTP_401_UNAUTHORIZED, status.HTTP_401_UNAUTHORIZED),
    Forbidden: (status.HTTP_403_FORBIDDEN, status.HTTP_403_FORBIDDEN),
    NotFound: (status.HTTP_404_NOT_FOUND, status.HTTP_404_NOT_FOUND),
    Conflict: (status.HTTP_409_CONFLICT, status.HTTP_409_CONFLICT),
    TooLarge: (status.HTTP_413_CONTENT_TOO_LARGE, status.HTTP_400_BAD_REQUEST),
    TooSlow: (status.HTTP_408_REQUEST_TIMEOUT, status.HTTP_408_REQUEST_TIMEOUT),
    Invalid: (status.HTTP_422_UNPROCESSABLE_CONTENT, status.HTTP_400_BAD_REQUEST),
    TooMany: (status.HTTP_429_TOO_MANY_REQUESTS, status.HTTP_429_TOO_MANY_REQUESTS),
    Refusal: (status.HTTP_400_BAD_REQUEST, status.HTTP_400_BAD_REQUEST),  # a kind of its own
}


def _headers(refusal: Refusal) -> dict[str, str] | None:
    if isinstance(refusal, TooMany):
        return {"Retry-After": str(refusal.retry_after)}
    if isinstance(refusal, NotSignedIn):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(refusal, Conflict) and not refusal.clears:
        return {"x-should-retry": "false"}
    return None


async def refused(request: Request, exc: Exception) -> JSONResponse:
    """A service's refusal: its sentence, in the shape of the route's API."""
    assert isinstance(exc, Refusal)
    app_status, openai_status = next(_STATUS[kind] for kind in type(exc).__mro__ if kind in _STATUS)
    if isinstance(exc, TooLarge) and exc.param is None:
        openai_status = app_status  # a whole body too large, not a parameter: 413 there too
    message = f"{exc.param}: {exc.sentence}" if exc.param else exc.sentence
    if is_openai(request):
        return openai_error(
            openai_status, message, param=exc.param, code=exc.openai_code, headers=_headers(exc)
        )
    return JSONResponse({"detail": message}, status_code=app_status, headers=_headers(exc))


async def http_error(request: Request, exc: Exception) -> Response:
    """A route's own refusal: its `detail` sentence, in OpenAI's shape on the OpenAI-compatible routes."""
    assert isinstance(exc, HTTPException)
    if is_openai(request):
        return openai_error(exc.status_code, str(exc.detail), headers=exc.headers)
    return await http_exception_handler(request, exc)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Every error body has a readable `detail` string; validation errors keep the list in `errors`."""
    if is_openai(request) and isinstance(exc, RequestValidationError):
        return invalid_request(exc)
    errors = list(exc.errors()) if isinstance(exc, RequestValidationError) else []
    detail = "; ".join(_sentence(error) for error in errors) or "Invalid request"
    content = {
        "detail": detail,
        "errors": [{k: e[k] for k in ("loc", "msg", "type") if k in e} for e in errors],
    }
    return JSONResponse(content, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Redis or the database is down: say so, and when to try again, instead of a bare 500."""
    part = "Redis" if isinstance(exc, RedisError) else "The database"
    logger.warning("503: %s is unavailable: %r", part, exc)
    sentence = f"{part} is unavailable right now; try again in a few seconds."
    headers = {"Retry-After": "5"}
    if is_openai(request):
        return openai_error(status.HTTP_503_SERVICE_UNAVAILABLE, sentence, headers=headers)
    unavailable_now = status.HTTP_503_SERVICE_UNAVAILABLE
    return JSONResponse({"detail": sentence}, status_code=unavailable_now, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Refusal, refused)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    for outage in (RedisError, OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(outage, unavailable)
