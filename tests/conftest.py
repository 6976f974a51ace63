"""Fixtures every test may use: a log folder, a real redis-server started for the session, and an
empty database on each engine relaychat supports."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from tests.support.answer_path import ScriptedModel
from tests.support.postgres import temporary_database
from tests.support.processes import RedisServer


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("processes")


@pytest.fixture(scope="session")
def redis_server(log_dir: Path) -> Iterator[RedisServer]:
    server = RedisServer(log_dir)
    yield server
    server.stop()


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    """A client of a real, emptied redis-server, for tests of code that talks to Redis directly."""
    client = Redis.from_url(redis_server.url)
    await client.flushall()
    yield client
    await client.aclose()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a throwaway Postgres database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with temporary_database() as url:
        yield url


@pytest.fixture(scope="session")
def scripted_model() -> Iterator[ScriptedModel]:
    """The scripted model on a thread of this process, for the answer path's fast tests."""
    model = ScriptedModel()
    yield model
    model.stop()


# Kill processes, cut hosts and time what follows: under pytest-xdist (`make test`), these run one
# after another on one worker, while the other worker runs the rest.
SERIAL = ("cluster", "stack/faults")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if any(item.path.is_relative_to(here / folder) for folder in SERIAL):
            item.add_marker(pytest.mark.xdist_group("serial"))
