"""The two lookups (ConversationDep, MessageDep): every route whose path names a conversation or a
message finds it through them, so that what a request may see is decided in those two places."""

import asyncio
import inspect
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from api.deps import ApiDeps
from api.lookups import (
    ApiKeyDep,
    ConversationDep,
    FileDep,
    FolderDep,
    ImportDep,
    MessageDep,
    PresetDep,
    ResponseDep,
    SignInDep,
)
from api.main import create_app
from core.settings import Settings
from tests.support.answer_path import database_with_a_key
from tests.support.processes import RedisServer

MISSING_ID = "00000000-0000-7000-8000-000000000000"
LOCK_WAIT_SECONDS = 1
NOT_FOUND = {
    "conversation_id": "Conversation not found",
    "message_id": "Message not found",
    "sign_in_id": "Session not found",
    "key_id": "API key not found",
    "response_id": "Response not found",
    "file_id": "File not found",
    "folder_id": "Folder not found",
    "preset_id": "Prompt not found",
    "import_id": "Import not found",
}
# The functions behind the lookup dependencies (`Annotated[type, Depends(function)]`).
LOOKUPS = {
    name: get_args(dep)[1].dependency
    for name, dep in [
        ("conversation_id", ConversationDep),
        ("message_id", MessageDep),
        ("sign_in_id", SignInDep),
        ("key_id", ApiKeyDep),
        ("response_id", ResponseDep),
        ("file_id", FileDep),
        ("folder_id", FolderDep),
        ("preset_id", PresetDep),
        ("import_id", ImportDep),
    ]
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
    # select, title, two exports), messages 6 (read, pin, stop, regenerate, edit, stream), files 3,
    # folders 2 (rename, delete), presets 2 (change, delete).
    assert len(checked) >= 23, checked


# Routes open to anyone, whose path's secret is the only credential: a shared link's copy.
PUBLIC = {("GET", "/api/shared/{token}", "token")}


def test_every_id_in_a_path_has_a_lookup_or_is_an_admins() -> None:
    """A new kind of id cannot slip past the walk above: it must be given a lookup there."""
    admins_only = {"user_id", "server_id"}
    for method, path, name, _ in _every_path_id(create_app().openapi()):
        assert (
            name in NOT_FOUND
            or (name in admins_only and path.startswith("/api/admin/"))
            or (method, path, name) in PUBLIC
        ), (path, name)


def test_a_public_route_needs_no_sign_in_and_every_other_api_route_does() -> None:
    """The public routes are declared above: any other route under /api needs a sign-in, so a
    router included without one cannot open a user's objects to anyone."""
    app = create_app()
    open_routes = {"/api/auth/", "/api/health"}
    for (method, path), route in routes_by_operation(app).items():
        if path is None or not path.startswith("/api/") or path.startswith(tuple(open_routes)):
            continue
        calls = {dependency.call for dependency in route.dependant.dependencies}
        signed_in = any(getattr(call, "__name__", "") in ("_current", "_admin") for call in calls)
        public = any((method, path) == (m, p) for m, p, _ in PUBLIC)
        assert signed_in != public, f"{method} {path}: signed in {signed_in}, declared public {public}"


def _every_path_id(schema: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    yield method.upper(), path, parameter["name"], operation


@pytest.fixture
async def database(tmp_path: Path) -> tuple[Path, str]:
    """A migrated SQLite database with one account, and an API key of it."""
    return tmp_path / "locked.db", await database_with_a_key(tmp_path / "locked.db")


async def request_with_lock_held(
    database: tuple[Path, str], redis_server: RedisServer, method: str, path: str
) -> tuple[bool, httpx.Response]:
    """Whether the app answered while another connection held SQLite's write lock, as a writing
    process would, and its answer (once the lock was let go, if it waited)."""
    file, key = database
    app = create_app()
    # What the lifespan makes, made here: httpx's ASGI transport runs no lifespan.
    app.state.deps = await ApiDeps.open(
        Settings(database_url=f"sqlite:///{file}", redis_url=redis_server.url)
    )
    writer = sqlite3.connect(file, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost", headers=headers
        ) as http:
            body = {"content": "Hello", "title": "Hello"}
            request = asyncio.create_task(http.request(method, path, json=body))
            # Far below the 30 s busy timeout: a transaction that took the write lock is still waiting.
            done, _ = await asyncio.wait({request}, timeout=LOCK_WAIT_SECONDS)
            writer.rollback()
            return bool(done), await request
    finally:
        writer.close()
        await app.state.deps.close()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        # Submit, edit and regenerate check in a read-only transaction before start_answer's short
        # write: read-only must be declared before the lookup's read, which begins the transaction.
        ("POST", f"/api/conversations/{MISSING_ID}/messages"),
        ("POST", f"/api/messages/{MISSING_ID}/edit"),
        ("POST", f"/api/messages/{MISSING_ID}/regenerate"),
        ("GET", f"/api/conversations/{MISSING_ID}"),
        ("GET", f"/api/messages/{MISSING_ID}/stream"),
    ],
)
async def test_a_lookup_before_checks_takes_no_write_lock(
    database: tuple[Path, str], redis_server: RedisServer, method: str, path: str
) -> None:
    answered_while_locked, response = await request_with_lock_held(database, redis_server, method, path)
    assert answered_while_locked
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        # A read then a write in one transaction: on SQLite it must take the lock at once.
        ("PATCH", f"/api/conversations/{MISSING_ID}"),
        ("POST", f"/api/messages/{MISSING_ID}/stop"),
    ],
)
async def test_a_lookup_of_a_writing_route_waits_for_the_write_lock(
    database: tuple[Path, str], redis_server: RedisServer, method: str, path: str
) -> None:
    answered_while_locked, response = await request_with_lock_held(database, redis_server, method, path)
    assert not answered_while_locked
    assert response.status_code == 404, response.text
