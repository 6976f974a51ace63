"""`relaychat up`: everything on one machine, offline, with embedded defaults.

Redis, the local model server, the API and the workers run as child processes, each with its own
log in `data/logs/`. Progress is printed as each part becomes ready. Ctrl-C or SIGTERM stops
them in reverse order; a child that dies is reported with its last log lines, and `up` exits 1.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from core.embedded import free_port, local_model_path, redis_ping, redis_server_binary
from core.migrate import schema_state, upgrade
from core.secrets import new_key
from core.settings import DATA_DIR, get_settings

LOGS = DATA_DIR / "logs"


class StartFailed(RuntimeError):
    """A part did not come up; the message says which and why."""


@dataclass
class Child:
    name: str
    argv: list[str]
    ready: Callable[["Child"], bool]
    timeout: float
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return LOGS / f"{self.name.replace(' ', '-')}.log"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(self.argv)}\n".encode())
        log.flush()
        # A session of its own: the terminal's Ctrl-C reaches `up` only, which stops children in order.
        self.process = subprocess.Popen(
            self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log_tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join("    " + line for line in text.splitlines()[-lines:])

    def exited(self) -> int | None:
        return self.process.poll() if self.process else None

    def wait_ready(self) -> float:
        started = time.monotonic()
        while time.monotonic() - started < self.timeout:
            if (code := self.exited()) is not None:
                raise StartFailed(f"{self.name} exited with code {code} while starting:\n{self.log_tail()}")
            try:
                if self.ready(self):
                    return time.monotonic() - started
            except (OSError, httpx.HTTPError):
                pass
            time.sleep(0.1)
        raise StartFailed(f"{self.name} was not ready after {self.timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, grace: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def _http_ok(url: str) -> Callable[[Child], bool]:
    return lambda _child: httpx.get(url, timeout=2).status_code == 200


def _setup_required(url: str) -> bool:
    """Whether no account exists yet (the first visit creates the admin)."""
    try:
        return bool(httpx.get(f"{url}/api/auth/state", timeout=5).json().get("setup_required"))
    except (httpx.HTTPError, ValueError):
        return False


def _logged(text: str) -> Callable[[Child], bool]:
    return lambda child: text in child.log_path.read_text(errors="replace").rsplit("\n--- ", 1)[-1]


def say(text: str) -> None:
    print(text, flush=True)


@dataclass
class Up:
    host: str
    port: int
    workers: int
    children: list[Child] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    def launch(self, child: Child, detail: str, env: dict[str, str] | None = None) -> None:
        child.env = {**self.env, **(env or {})}
        self.children.append(child)
        child.start()
        seconds = child.wait_ready()
        say(f"  ok  {child.name:<9} {detail}  ({seconds:.1f} s)")

    def start_redis(self) -> None:
        if "REDIS_URL" in self.env:
            say(f"  --  redis     {self.env['REDIS_URL']} (REDIS_URL)")
            return
        port = free_port()
        directory = (DATA_DIR / "redis").resolve()
        directory.mkdir(parents=True, exist_ok=True)
        argv = [
            str(redis_server_binary()),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(directory),
        ]
        argv += ["--appendonly", "yes", "--save", "", "--protected-mode", "yes"]
        self.launch(
            Child("redis", argv, lambda _c: redis_ping(port), 15),
            f"127.0.0.1:{port}, AOF in {DATA_DIR}/redis",
        )
        self.env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"

    def keep_secrets_key(self) -> None:
        """The key that seals stored secrets: the environment's, else one made once and kept in
        the data directory (readable by its owner only), so a restart opens what was sealed."""
        if self.env.get("RELAYCHAT_SECRETS_KEY") or get_settings().secrets_key:
            return
        path = DATA_DIR / "secrets.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(new_key())
        self.env["RELAYCHAT_SECRETS_KEY"] = path.read_text().strip()

    def migrate(self) -> None:
        url = get_settings().database_url
        before = schema_state(url)
        upgrade(url)
        say(f"  ok  database  {url.split('@')[-1]} (schema {before.value} -> current)")

    def start_model(self) -> None:
        configured = [
            name
            for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "RELAYCHAT_MODELS_FILE")
            if name in self.env
        ]
        if configured:
            say(f"  --  model     from {', '.join(configured)}")
            return
        local_model_path()  # fail now, with advice, if the local model is not installed
        port = free_port()
        argv = [sys.executable, "-m", "core.cli", "model", "--host", "127.0.0.1", "--port", str(port)]
        url = f"http://127.0.0.1:{port}/v1"
        self.launch(
            Child("model", argv, _http_ok(f"{url}/models"), 180),
            f"SmolLM2-135M-Instruct (llama.cpp) at {url}",
        )
        self.env["RELAYCHAT_LOCAL_MODEL_URL"] = url

    def start_app(self) -> None:
        me = [sys.executable, "-m", "core.cli"]
        url = f"http://{self.host}:{self.port}"
        api = Child(
            "api",
            [*me, "api", "--host", self.host, "--port", str(self.port)],
            _http_ok(f"{url}/api/health"),
            60,
        )
        self.launch(api, url)
        metrics_port = get_settings().metrics_port
        for number in range(1, self.workers + 1):
            worker = Child(f"worker {number}", [*me, "worker"], _logged("relaychat worker ready"), 60)
            env, detail = {}, ""
            if metrics_port:  # each worker its own port: the first the one set, the next ones after it
                env["RELAYCHAT_METRICS_PORT"] = str(metrics_port + number - 1)
                detail = f"metrics on port {metrics_port + number - 1}"
            self.launch(worker, detail, env)
        say(f"\nrelaychat is ready: {url}   (logs in {LOGS}/; Ctrl-C stops everything)")
        if _setup_required(url):
            say(
                "Open it in a browser to create the admin account (or: relaychat users create EMAIL --admin)."
            )

    def watch(self) -> int:
        """Wait for a signal or a child's death; either way stop everything."""
        while True:
            for child in self.children:
                if (code := child.exited()) is not None:
                    say(f"\n  !!  {child.name} exited with code {code}; its last log lines:")
                    say(child.log_tail())
                    return 1
            time.sleep(0.5)

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()


def run(host: str, port: int, workers: int) -> int:
    up = Up(host, port, workers)

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # SIGINT too: a shell starting `up` in the background would have it ignored.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    say("relaychat up")
    try:
        up.start_redis()
        up.keep_secrets_key()
        up.migrate()
        up.start_model()
        up.start_app()
        code = up.watch()
    except StartFailed as failure:
        say(f"\n  !!  {failure}")
        code = 1
    except KeyboardInterrupt:
        say("\nstopping ...")
        code = 0
    finally:
        up.stop()
    say("relaychat stopped")
    return code
