"""Errors of the OpenAI-compatible routes (`/v1/…`) in OpenAI's shape, so its SDKs raise their own
exception classes: `{"error": {"message", "type", "param", "code"}}`, and 400 for a bad request."""

from collections.abc import Mapping
from typing import Any

from fastapi import Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

OPENAI_PREFIX = "/v1/"

# What OpenAI's API answers with each status: its error `type` and `code`.
_KINDS: dict[int, tuple[str, str | None]] = {
    status.HTTP_400_BAD_REQUEST: ("invalid_request_error", None),
    status.HTTP_401_UNAUTHORIZED: ("invalid_request_error", "invalid_api_key"),
    status.HTTP_403_FORBIDDEN: ("invalid_request_error", "forbidden"),
    status.HTTP_404_NOT_FOUND: ("invalid_request_error", "not_found"),
    status.HTTP_409_CONFLICT: ("invalid_request_error", "conflict"),
    status.HTTP_413_CONTENT_TOO_LARGE: ("invalid_request_error", None),
    status.HTTP_429_TOO_MANY_REQUESTS: ("requests", "rate_limit_exceeded"),
    status.HTTP_503_SERVICE_UNAVAILABLE: ("server_error", "service_unavailable"),
}


def is_openai(request: Request) -> bool:
    return request.url.path.startswith(OPENAI_PREFIX)


def openai_error(
    status_code: int,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    kind, default_code = _KINDS.get(status_code, ("invalid_request_error", None))
    body = {"error": {"message": message, "type": kind, "param": param, "code": code or default_code}}
    return JSONResponse(body, status_code=status_code, headers=headers)


def invalid_request(exc: RequestValidationError) -> JSONResponse:
    """A body that does not validate: 400 (not FastAPI's 422), naming the first parameter at fault."""
    errors: list[dict[str, Any]] = list(exc.errors())
    first = errors[0] if errors else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header")]
    param = ".".join(location) or None
    message = f"{param}: {first.get('msg')}" if param else str(first.get("msg", "Invalid request"))
    return openai_error(status.HTTP_400_BAD_REQUEST, message, param=param)
