"""Fixtures of the stack tests: the scripted model, a shared deployment on each database, and
deployments of a test's own that it may kill parts of."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from agents import set_tracing_disabled

from core.migrate import upgrade
from tests.support.postgres import temporary_database
from tests.support.sentinel import SentinelGroup
from tests.support.stack import MakeStack, Stack, Upstream


@pytest.fixture(scope="session")
def upstream(log_dir: Path) -> Iterator[Upstream]:
    server = Upstream(log_dir)
    yield server
    server.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, log_dir: Path) -> Iterator[str]:
    """Every test on the shared stack runs against SQLite, and against Postgres where one answers."""
    if request.param == "sqlite":
        yield f"sqlite:///{log_dir / 'shared.db'}"
        return
    with temporary_database() as url:
        upgrade(url)  # as `relaychat migrate` does: only an empty SQLite database migrates itself
        yield url


@pytest.fixture(scope="session")
def stack(log_dir: Path, upstream: Upstream, database_url: str) -> Iterator[Stack]:
    """A shared deployment (one API, one worker) for tests that do not kill anything."""
    deployment = Stack(log_dir, upstream, database_url=database_url)
    try:
        deployment.start_api()
        deployment.start_worker()
        yield deployment
    finally:
        deployment.close()


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    with stack.client() as http:
        yield http


def _stack_factory(log_dir: Path, upstream: Upstream) -> Iterator[MakeStack]:
    """Factory for an isolated deployment a test may kill parts of; everything is stopped afterwards."""
    made: list[Stack] = []

    class OwnStack(Stack):
        def __init__(
            self, database_url: str | None = None, sentinels: SentinelGroup | None = None, **settings: str
        ) -> None:
            super().__init__(
                log_dir, upstream, settings=settings, database_url=database_url, sentinels=sentinels
            )
            made.append(self)

    yield OwnStack
    for deployment in made:
        deployment.close()


@pytest.fixture
def make_stack(log_dir: Path, upstream: Upstream) -> Iterator[MakeStack]:
    yield from _stack_factory(log_dir, upstream)


@pytest.fixture(scope="module")
def make_stack_module(log_dir: Path, upstream: Upstream) -> Iterator[MakeStack]:
    """`make_stack` for deployments a whole module shares."""
    yield from _stack_factory(log_dir, upstream)


@pytest.fixture
def no_tracing() -> None:
    """The Agents SDK would send its traces to OpenAI."""
    set_tracing_disabled(True)
