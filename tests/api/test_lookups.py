"""The two lookups (ConversationDep, MessageDep): every route whose path names a conversation or a
message finds it through them, so that what a request may see is decided in those two places."""

import inspect
from collections.abc import Iterator
from typing import Any, get_args

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from api.deps import ConversationDep, MessageDep
from api.main import create_app
from core.db import READ_ONLY_OPTION

MISSING_ID = "00000000-0000-7000-8000-000000000000"
NOT_FOUND = {"conversation_id": "Conversation not found", "message_id": "Message not found"}
# The functions behind the two dependencies (`Annotated[type, Depends(function)]`).
LOOKUPS = {
    name: get_args(dep)[1].dependency
    for name, dep in [("conversation_id", ConversationDep), ("message_id", MessageDep)]
}


def path_id_operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(method, path, id parameter, operation) of every operation whose path names a conversation
    or a message."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in NOT_FOUND:
                    yield method.upper(), path, parameter["name"], operation


def routes_by_operation(app: FastAPI) -> dict[tuple[str, str | None], RouteContext]:
    """Every API route as the app serves it, under its full path (included routers stay routers in
    `app.routes`: their routes, with the prefix and dependencies of the include, are contexts)."""
    return {
        (method, context.path_format): context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods or ()
    }


# Fast: no processes


def test_every_route_with_a_path_id_takes_its_lookup_rather_than_the_id() -> None:
    app = create_app()
    routes = routes_by_operation(app)
    checked = []
    for method, path, name, _ in path_id_operations(app.openapi()):
        route = routes[(method, path)]
        assert isinstance(route.original_route, APIRoute)
        dependencies = [dependency.call for dependency in route.dependant.dependencies]
        assert LOOKUPS[name] in dependencies, f"{method} {path} does not take its {name} lookup"
        assert name not in inspect.signature(route.original_route.endpoint).parameters, (
            f"{method} {path} takes {name} itself: it would look its {name} up without the lookup"
        )
        checked.append(f"{method} {path}")
    # Guards the walk itself: conversations 10 (read, change, delete, messages, submit, branch,
    # select, title, two exports), messages 6 (read, pin, stop, regenerate, edit, stream).
    assert len(checked) >= 16, checked


class RecordingSession:
    """Stands in for the request's database session and records what the dependencies ask of it."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    async def __aenter__(self) -> "RecordingSession":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        return None

    async def connection(self, execution_options: dict[str, Any] | None = None) -> None:
        if (execution_options or {}).get(READ_ONLY_OPTION):
            self.calls.append("read_only")

    async def get(self, model: type, _id: str) -> None:
        self.calls.append(f"get {model.__name__}")  # found nothing: the lookup answers 404


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        # Submit, edit and regenerate check in a read-only transaction before start_answer's short
        # write: read_only must come before the lookup's read, which would begin the transaction.
        ("POST", f"/api/conversations/{MISSING_ID}/messages", ["read_only", "get Conversation"]),
        ("POST", f"/api/messages/{MISSING_ID}/edit", ["read_only", "get Message"]),
        ("POST", f"/api/messages/{MISSING_ID}/regenerate", ["read_only", "get Message"]),
        # A GET reads only.
        ("GET", f"/api/conversations/{MISSING_ID}", ["read_only", "get Conversation"]),
        ("GET", f"/api/messages/{MISSING_ID}/stream", ["read_only", "get Message"]),
        # Others read and then write in one transaction, which on SQLite must take the lock at once.
        ("PATCH", f"/api/conversations/{MISSING_ID}", ["get Conversation"]),
        ("POST", f"/api/messages/{MISSING_ID}/stop", ["get Message"]),
    ],
)
async def test_the_lookup_reads_in_the_transaction_the_route_needs(
    method: str, path: str, expected: list[str]
) -> None:
    app = create_app()
    calls: list[str] = []
    app.state.sessionmaker = lambda: RecordingSession(calls)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        response = await http.request(method, path, json={"content": "Hello", "title": "Hello"})
    assert response.status_code == 404, response.text
    assert calls == expected


# Through the running stack


def test_every_route_with_a_path_id_answers_404_for_an_unknown_one(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    answers, expected = {}, {}
    for method, path, name, operation in path_id_operations(schema):
        # The lookup answers before the body is read: any body will do.
        body: dict[str, str] | None = {} if "requestBody" in operation else None
        response = client.request(method, path.replace(f"{{{name}}}", MISSING_ID), json=body)
        answers[f"{method} {path}"] = (response.status_code, response.json().get("detail"))
        expected[f"{method} {path}"] = (404, NOT_FOUND[name])
    assert len(answers) >= 16, answers
    assert answers == expected
