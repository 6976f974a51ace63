"""Every route checks its request's strings as text (api/routing.py): a new router cannot skip it."""

from fastapi.routing import APIRoute, iter_route_contexts

from api.main import create_app
from api.routing import CheckedRoute


def test_every_route_of_the_app_is_a_checked_route() -> None:
    routes = [
        context.original_route
        for context in iter_route_contexts(create_app().routes)
        if isinstance(context.original_route, APIRoute)
    ]
    unchecked = [
        f"{sorted(route.methods or ())} {route.path}"
        for route in routes
        if not isinstance(route, CheckedRoute)
    ]
    assert not unchecked, f"routes that skip the text check: {unchecked}"
    assert len(routes) >= 50, len(routes)  # the walk reached the included routers' routes
