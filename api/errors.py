from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def _sentence(error: dict[str, Any]) -> str:
    parts: Iterable[object] = error.get("loc", ())
    location = [str(part) for part in parts if part not in ("body", "query", "path", "header")]
    where = ".".join(location)
    return f"{where}: {error.get('msg')}" if where else str(error.get("msg"))


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """Every error body has a readable `detail` string; validation errors keep the list in `errors`."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    detail = "; ".join(_sentence(error) for error in errors) or "Invalid request"
    content = {
        "detail": detail,
        "errors": [{k: e[k] for k in ("loc", "msg", "type") if k in e} for e in errors],
    }
    return JSONResponse(content, status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
