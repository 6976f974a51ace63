"""A Redis primary, its replica and three Sentinels watching them: real processes on free ports of
the loopback, or each on a host of its own (tests/support/netns.py)."""

import os
import signal
import socket
from pathlib import Path

from tests.support.netns import Host
from tests.support.processes import REDIS_SERVER, Process, RedisServer, free_port, python, wait_until

MASTER = "relaychat"


def ask(address: tuple[str, int], *command: str) -> bytes:
    """One inline command to the server at `address`; its raw reply."""
    with socket.create_connection(address, timeout=2) as sock:
        sock.sendall((" ".join(command) + "\r\n").encode())
        return sock.recv(4096)


class Sentinel(Process):
    """`redis-server FILE.conf --sentinel`, on a free port or on port 26379 of its own host."""

    def __init__(
        self, log_dir: Path, primary: RedisServer, failover_timeout_ms: int, host: Host | None = None
    ) -> None:
        self.ip = host.ip if host else "127.0.0.1"
        self.port = 26379 if host else free_port()
        config = log_dir / f"sentinel-{self.ip}-{self.port}.conf"
        config.write_text(
            f"port {self.port}\nbind {self.ip}\nprotected-mode no\ndir {log_dir}\n"
            f"sentinel monitor {MASTER} {primary.ip} {primary.port} 2\n"
            f"sentinel down-after-milliseconds {MASTER} 1000\n"
            f"sentinel failover-timeout {MASTER} {failover_timeout_ms}\n"
            f"sentinel parallel-syncs {MASTER} 1\n"
        )
        args = [str(REDIS_SERVER), str(config), "--sentinel"]
        name = f"sentinel-{host.namespace}" if host else f"sentinel-{self.port}"
        super().__init__(name, host.command(args) if host else args, {}, log_dir)
        wait_until(lambda: ask(self.address, "PING").startswith(b"+PONG"), 10, self.name, self)

    @property
    def address(self) -> tuple[str, int]:
        return self.ip, self.port


class SentinelGroup:
    """A primary, a replica of it, and three Sentinels with a quorum of two. A primary that stops
    answering for a second is replaced by the replica within a few seconds.

    With `freezable`, the replica replicates through a TCP relay that `freeze_replication` stops:
    whatever the primary takes after that is lost when it dies, as in a failover under load.
    """

    def __init__(self, log_dir: Path, freezable: bool = False, hosts: list[Host] | None = None) -> None:
        """On the loopback, or with `hosts`, on five hosts: the primary's, the replica's, and
        the three Sentinels'."""
        places: list[Host | None] = list(hosts) if hosts else [None] * 5
        primary_host, replica_host, *sentinel_hosts = places
        self.log_dir = log_dir
        self.primary = RedisServer(log_dir, host=primary_host)
        self.relay: Process | None = None
        upstream = self.primary.address
        if freezable:
            upstream = ("127.0.0.1", free_port())
            relay_args = python("-m", "tests.support.tcp_relay", str(upstream[1]), str(self.primary.port))
            self.relay = Process(f"replication-relay-{upstream[1]}", relay_args, dict(os.environ), log_dir)
        self.replica = RedisServer(log_dir, replica_of=upstream, host=replica_host)
        # In sync first: a Sentinel learns of replicas from the primary, at start and every 10 s.
        wait_until(self._replica_in_sync, 10, "the replica in sync")
        # Sentinel points a replica that follows another address back at the primary once this
        # has passed: long enough, with the relay, for it never to happen during a test.
        failover_timeout_ms = 60_000 if freezable else 5_000
        self.sentinels = [
            Sentinel(log_dir, self.primary, failover_timeout_ms, host) for host in sentinel_hosts
        ]
        wait_until(self._replica_known, 15, "sentinels knowing the primary and its replica")

    def _replica_known(self) -> bool:
        replica = f"{self.replica.ip}\r\n$4\r\nport\r\n${len(str(self.replica.port))}\r\n{self.replica.port}"
        return self.primary_address() == self.primary.address and all(
            replica.encode() in ask(sentinel.address, "SENTINEL", "replicas", MASTER)
            for sentinel in self.sentinels
        )

    def _replica_in_sync(self) -> bool:
        return b"master_link_status:up" in ask(self.replica.address, "INFO", "replication")

    @property
    def addresses(self) -> str:
        """`REDIS_SENTINELS` for relaychat."""
        return ",".join(f"{s.ip}:{s.port}" for s in self.sentinels)

    def primary_address(self) -> tuple[str, int] | None:
        """The primary as the first Sentinel that answers names it."""
        for sentinel in self.sentinels:
            try:
                reply = ask(sentinel.address, "SENTINEL", "get-master-addr-by-name", MASTER)
            except OSError:
                continue
            lines = reply.decode().split("\r\n")
            if len(lines) >= 5 and lines[0] == "*2":
                return lines[2], int(lines[4])
        return None

    def freeze_replication(self) -> None:
        assert self.relay is not None, "made without freezable=True"
        self.relay.popen.send_signal(signal.SIGSTOP)

    def stop(self) -> None:
        if self.relay is not None:
            self.relay.popen.send_signal(signal.SIGCONT)
        for process in [*self.sentinels, self.replica, self.primary, *filter(None, [self.relay])]:
            process.stop()
