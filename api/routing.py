"""The route class of every router: before a route runs, every string the request brings (its
path, its query, every key and value of its JSON body) is checked as text (core/text.py), and a
body nested too deeply to read is refused, rather than failing the route later with a 5xx."""

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from api.refusals import Invalid
from core.text import BadText, first_bad_text, problem_of

TOO_DEEP = "The body is nested too deeply to read."


def _refusal(bad: BadText) -> Invalid:
    return Invalid(f"holds {bad.problem}", param=bad.where)


async def check_request(request: Request, *, has_body: bool) -> None:
    """Refuse (Invalid) a request with a string that is not text, anywhere, or a body too deep."""
    if problem := problem_of(request.url.path):
        raise Invalid(f"The address holds {problem}.")
    for name, value in request.query_params.multi_items():
        if bad := first_bad_text({name: value}):
            raise _refusal(bad)
    if not has_body or "json" not in request.headers.get("content-type", ""):
        return
    try:
        # Parsed once: FastAPI reads the same parsed body (Starlette keeps it) when the route runs.
        body = await request.json()
    except RecursionError:
        raise Invalid(TOO_DEEP) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return  # FastAPI answers it, as a body that is not JSON
    if bad := first_bad_text(body):
        raise _refusal(bad)


class CheckedRoute(APIRoute):
    """A FastAPI route whose request's strings are checked as text before it runs."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        has_body = self.body_field is not None

        async def checked(request: Request) -> Response:
            await check_request(request, has_body=has_body)
            return await handler(request)

        return checked
