"""A Redis primary, its replica and three Sentinels watching them: real processes on free ports."""

import os
import signal
import socket
from pathlib import Path

from tests.support.processes import REDIS_SERVER, Process, RedisServer, free_port, python, wait_until

MASTER = "relaychat"


def ask(port: int, *command: str) -> bytes:
    """One inline command to the server on `port`; its raw reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall((" ".join(command) + "\r\n").encode())
        return sock.recv(4096)


class Sentinel(Process):
    """`redis-server FILE.conf --sentinel` on a free port."""

    def __init__(self, log_dir: Path, primary_port: int, failover_timeout_ms: int) -> None:
        self.port = free_port()
        config = log_dir / f"sentinel-{self.port}.conf"
        config.write_text(
            f"port {self.port}\nbind 127.0.0.1\nprotected-mode no\ndir {log_dir}\n"
            f"sentinel monitor {MASTER} 127.0.0.1 {primary_port} 2\n"
            f"sentinel down-after-milliseconds {MASTER} 1000\n"
            f"sentinel failover-timeout {MASTER} {failover_timeout_ms}\n"
            f"sentinel parallel-syncs {MASTER} 1\n"
        )
        super().__init__(f"sentinel-{self.port}", [str(REDIS_SERVER), str(config), "--sentinel"], {}, log_dir)
        wait_until(lambda: ask(self.port, "PING").startswith(b"+PONG"), 10, self.name, self)


class SentinelGroup:
    """A primary, a replica of it, and three Sentinels with a quorum of two. A primary that stops
    answering for a second is replaced by the replica within a few seconds.

    With `freezable`, the replica replicates through a TCP relay that `freeze_replication` stops:
    whatever the primary takes after that is lost when it dies, as in a failover under load.
    """

    def __init__(self, log_dir: Path, freezable: bool = False) -> None:
        self.log_dir = log_dir
        self.primary = RedisServer(log_dir)
        self.relay: Process | None = None
        upstream_port = self.primary.port
        if freezable:
            upstream_port = free_port()
            relay_args = python("-m", "tests.support.tcp_relay", str(upstream_port), str(self.primary.port))
            self.relay = Process(f"replication-relay-{upstream_port}", relay_args, dict(os.environ), log_dir)
        self.replica = RedisServer(log_dir, replica_of=upstream_port)
        # In sync first: a Sentinel learns of replicas from the primary, at start and every 10 s.
        wait_until(self._replica_in_sync, 10, "the replica in sync")
        # Sentinel points a replica that follows another address back at the primary once this
        # has passed: long enough, with the relay, for it never to happen during a test.
        failover_timeout_ms = 60_000 if freezable else 5_000
        self.sentinels = [Sentinel(log_dir, self.primary.port, failover_timeout_ms) for _ in range(3)]
        wait_until(self._replica_known, 15, "sentinels knowing the primary and its replica")

    def _replica_known(self) -> bool:
        replica = f"{self.replica.port}".encode()
        return self.primary_port() == self.primary.port and all(
            replica in ask(sentinel.port, "SENTINEL", "replicas", MASTER) for sentinel in self.sentinels
        )

    def _replica_in_sync(self) -> bool:
        return b"master_link_status:up" in ask(self.replica.port, "INFO", "replication")

    @property
    def addresses(self) -> str:
        """`REDIS_SENTINELS` for relaychat."""
        return ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)

    def primary_port(self) -> int | None:
        """The primary's port as the first Sentinel that answers names it."""
        for sentinel in self.sentinels:
            try:
                reply = ask(sentinel.port, "SENTINEL", "get-master-addr-by-name", MASTER)
            except OSError:
                continue
            lines = reply.decode().split("\r\n")
            if len(lines) >= 5 and lines[0] == "*2":
                return int(lines[4])
        return None

    def freeze_replication(self) -> None:
        assert self.relay is not None, "made without freezable=True"
        self.relay.popen.send_signal(signal.SIGSTOP)

    def stop(self) -> None:
        if self.relay is not None:
            self.relay.popen.send_signal(signal.SIGCONT)
        for process in [*self.sentinels, self.replica, self.primary, *filter(None, [self.relay])]:
            process.stop()
