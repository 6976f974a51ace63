"""The cluster suite's deployment: every part on a host of its own (a network namespace on a
bridge, tests/support/netns.py): a Redis primary, its replica and three Sentinels, Postgres, the
scripted model, two API hosts and two worker hosts. The tests are the clients, in the root
namespace."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.migrate import upgrade
from tests.support.netns import Host, Network, unavailable
from tests.support.postgres import PostgresServer
from tests.support.sentinel import SentinelGroup
from tests.support.stack import Api, Stack, Upstream, Worker

API_PORT = 8000


@pytest.fixture(scope="module")
def network() -> Iterator[Network]:
    if reason := unavailable():
        pytest.skip(f"the cluster suite runs its hosts in network namespaces, and here {reason}")
    made = Network()
    yield made
    made.close()


@pytest.fixture(scope="module")
def model(network: Network, log_dir: Path) -> Iterator[Upstream]:
    server = Upstream(log_dir, network.host("model"))
    yield server
    server.stop()


class Cluster(Stack):
    """A deployment across hosts. `api_hosts[i]` runs `apis[i]`, `worker_hosts[i]` runs `workers[i]`."""

    def __init__(self, network: Network, log_dir: Path, model: Upstream, **settings: str) -> None:
        self.network = network
        number = len(network.hosts)
        self.redis_hosts = [network.host(f"{name}{number}") for name in ("ra", "rb", "s1", "s2", "s3")]
        self.postgres_host = network.host(f"pg{number}")
        self.postgres = PostgresServer(log_dir, self.postgres_host)
        upgrade(self.postgres.url)  # as `relaychat migrate` does: an operator's step on Postgres
        group = SentinelGroup(log_dir, hosts=self.redis_hosts)
        super().__init__(log_dir, model, settings=settings, database_url=self.postgres.url, sentinels=group)
        self.api_hosts = [network.host(f"api{i}-{number}") for i in (1, 2)]
        self.worker_hosts = [network.host(f"w{i}-{number}") for i in (1, 2)]

    @property
    def group(self) -> SentinelGroup:
        assert self.sentinels is not None
        return self.sentinels

    def start_all(self) -> None:
        for host in self.api_hosts:
            self.start_api(API_PORT, host)
        for host in self.worker_hosts:
            self.start_worker(host=host)
        # All 20 answers of a test stream at once (a user's default is 4 running, the rest waiting).
        unlimited = dict.fromkeys(
            ("running_answers", "waiting_answers", "tokens_per_day", "cost_per_month_usd")
        )
        with self.api.client() as admin:
            lifted = admin.put("/api/admin/limits", json={"admin": unlimited, "user": unlimited})
            assert lifted.status_code == 200, lifted.text

    def store_hosts(self) -> list[Host]:
        """Every host that keeps state: Redis, its Sentinels, Postgres."""
        return [*self.redis_hosts, self.postgres_host]

    def api_on(self, host: Host) -> Api:
        return self.apis[self.api_hosts.index(host)]

    def worker_on(self, host: Host) -> Worker:
        return self.workers[self.worker_hosts.index(host)]

    def busiest_worker_host(self) -> Host:
        """The worker host that has started the most answers (one worker may claim a whole burst)."""
        return max(self.worker_hosts, key=lambda host: self.worker_on(host).log_text().count("picked up"))

    def close(self) -> None:
        for host in self.network.hosts:
            host.reconnect()
        super().close()
        self.postgres.stop()


@pytest.fixture
def cluster(network: Network, log_dir: Path, model: Upstream) -> Iterator[Cluster]:
    made = Cluster(network, log_dir, model, claim_ttl_seconds="5", heartbeat_seconds="2")
    made.start_all()
    yield made
    made.close()
