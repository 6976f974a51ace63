"""The route a request took, as its path template (`/api/messages/{message_id}`): what a metric's
label or a span's name may hold, whatever path a client sent."""

from typing import Any

from starlette.types import Scope

UNMATCHED = "unmatched"
"""The route of a request no route took: a 404, or one refused before routing (a Host not allowed)."""


def route_template(scope: Scope) -> str:
    """The template of the route that took the request: its own path, after the prefix of the router
    that included it (FastAPI gives the route as its router declared it)."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str) or not template:
        return UNMATCHED
    if (prefix := _prefixes.get(id(route))) is None:  # routes live as long as the app
        prefix = _prefixes[id(route)] = _prefix(route, scope.get("path", ""))
    return prefix + template


# Each route's prefix, found once: the part of a path it took before what its own pattern matches.
_prefixes: dict[int, str] = {}


def _prefix(route: Any, path: str) -> str:
    pattern = getattr(route, "path_regex", None)
    if pattern is None or pattern.match(path):
        return ""
    for index in range(1, len(path)):
        if path[index] == "/" and pattern.match(path[index:]):
            return path[:index]
    return ""
