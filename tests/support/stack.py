"""The whole relaychat stack as real processes: Redis, the scripted model, API(s) and worker(s)."""

import os
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from core.secrets import new_key
from tests.support.netns import Host
from tests.support.processes import Process, RedisServer, free_port, python, wait_until
from tests.support.sentinel import MASTER, SentinelGroup
from worker.titles import title_prompt


class Upstream(Process):
    """The scripted OpenAI-compatible model server (tests/support/scripted_model.py)."""

    def __init__(self, log_dir: Path, host: Host | None = None) -> None:
        self.ip = host.ip if host else "127.0.0.1"
        self.port = 8080 if host else free_port()
        args = python("-m", "tests.support.scripted_model", "--host", self.ip, "--port", str(self.port))
        super().__init__("upstream", host.command(args) if host else args, dict(os.environ), log_dir)
        self.http = httpx.Client(base_url=f"http://{self.ip}:{self.port}", timeout=10)
        wait_until(lambda: self.http.get("/v1/models").status_code == 200, 20, "scripted model", self)

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}/v1"

    def script(self, match: str, *responses: dict[str, Any]) -> None:
        self.http.post("/_scripts", json={"match": match, "responses": list(responses)}).raise_for_status()

    def requests(self, match: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.http.get("/_requests", params={"match": match}).json()
        return result


ADMIN_EMAIL = "admin@relaychat.test"
ADMIN_PASSWORD = "a test deployment's admin"


SIGN_IN_COOKIE = "relaychat_session"


def _signed_in_as_admin(http: httpx.Client) -> None:
    """The first account is the admin: register it, or sign in where it exists already."""
    account = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    signed_in = http.post("/api/auth/register", json=account)
    if signed_in.status_code != 201:
        signed_in = http.post("/api/auth/login", json=account)
    assert signed_in.status_code in (200, 201), signed_in.text


def admin_session(url: str) -> str:
    """A new session of the deployment's admin: the cookie's value, for a browser to carry."""
    with httpx.Client(base_url=url, timeout=30) as http:
        _signed_in_as_admin(http)
        token = http.cookies.get(SIGN_IN_COOKIE)
        assert token, "signing in set no session cookie"
        return token


def admin_key(url: str) -> str:
    """An API key of the deployment's admin, made through the API."""
    with httpx.Client(base_url=url, timeout=30) as http:
        _signed_in_as_admin(http)
        made = http.post("/api/keys", json={"name": "tests"})
        assert made.status_code == 201, made.text
        key: str = made.json()["key"]
        return key


class Api(Process):
    def __init__(
        self,
        name: str,
        env: dict[str, str],
        log_dir: Path,
        key: Callable[[], str],
        port: int | None = None,
        host: Host | None = None,
    ) -> None:
        """An API process on `port` (a free one unless given: e.g. a killed API's, to take its
        place), of the loopback or of `host`.

        Its clients act as the deployment's admin, with the API key `key` gives.
        """
        self.ip = host.ip if host else "127.0.0.1"
        self.port = port or free_port()
        self._key = key
        args = python("-m", "core.cli", "api", "--host", self.ip, "--port", str(self.port))
        if host:  # reached by its address on the bridge, beside the local names
            env = {**env, "RELAYCHAT_ALLOWED_HOSTS": f"localhost,127.0.0.1,::1,{self.ip}"}
        super().__init__(name, host.command(args) if host else args, env, log_dir)
        self.wait_ready()

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}"

    def wait_ready(self) -> None:
        wait_until(
            lambda: httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200, 30, self.name, self
        )

    @property
    def headers(self) -> dict[str, str]:
        """What a request needs to act as the deployment's admin."""
        return {"Authorization": f"Bearer {self._key()}"}

    def client(self, **kwargs: Any) -> httpx.Client:
        options: dict[str, Any] = {"timeout": 30, **kwargs}
        options["headers"] = {**self.headers, **kwargs.get("headers", {})}
        return httpx.Client(base_url=self.url, **options)


WORKER_COMMAND = ("-m", "worker")
"""What `relaychat worker` runs; `arq worker.main.WorkerSettings` hands over to it (a test checks)."""


class Worker(Process):
    def __init__(
        self,
        name: str,
        env: dict[str, str],
        log_dir: Path,
        command: tuple[str, ...] = WORKER_COMMAND,
        host: Host | None = None,
    ) -> None:
        args = python(*command)
        super().__init__(name, host.command(args) if host else args, env, log_dir)
        self.wait_ready()

    def wait_ready(self) -> None:
        wait_until(lambda: "relaychat worker ready" in self.log_text(), 30, self.name, self)

    @property
    def metrics_url(self) -> str:
        """Where this worker serves its metrics, as its log says (`RELAYCHAT_METRICS_PORT`, 0: any)."""
        found: list[str] = re.findall(r"metrics at (http://[0-9.]+:[0-9]+/metrics)", self.log_text())
        assert found, f"{self.name} serves no metrics"
        return found[-1]


ONE_ACCOUNT_LOAD = {"max_streams_per_user": "1000000"}
"""For a bench whose whole load comes from one account (the admin's key): no cap on its streams."""

MODELS = {"scripted": 8192, "scripted-alt": 4096}
"""The models of a test deployment, all served by the scripted model: name → context window.
`scripted` declares no capabilities (so it has them all) and the default sampling limits;
`scripted-alt` declares none, a temperature of 0 to 1 and no seed."""
CAPABILITIES = {
    "scripted-alt": "capabilities = []\ntemperature_range = [0.0, 1.0]\ndefault_temperature = 0.7\n"
    "supports_seed = false\n"
}


def write_models_file(log_dir: Path, base_url: str) -> Path:
    path = log_dir / "models.toml"
    entries = [
        f'[[models]]\nid = "{name}"\nbase_url = "{base_url}"\ncontext_window = {window}\n'
        f"input_price = 1.0\noutput_price = 2.0\n{CAPABILITIES.get(name, '')}"
        for name, window in MODELS.items()
    ]
    path.write_text('default = "scripted"\n\n' + "\n".join(entries))
    return path


class Stack:
    """One isolated deployment: its own Redis, database (a new SQLite file unless given), API and workers."""

    def __init__(
        self,
        log_dir: Path,
        upstream: Upstream,
        redis: RedisServer | None = None,
        settings: dict[str, str] | None = None,
        database_url: str | None = None,
        sentinels: SentinelGroup | None = None,
    ) -> None:
        self.log_dir = log_dir
        self.upstream = upstream
        self.sentinels = sentinels
        self.redis = sentinels.primary if sentinels else redis or RedisServer(log_dir)
        self.database_url = database_url or f"sqlite:///{log_dir / f'relaychat-{uuid.uuid4().hex[:8]}.db'}"
        self.env = {
            **os.environ,
            "REDIS_URL": self.redis.url,
            "DATABASE_URL": self.database_url,
            "OPENAI_BASE_URL": upstream.url,
            "OPENAI_API_KEY": "test-key",
            "RELAYCHAT_MODELS_FILE": str(write_models_file(log_dir, upstream.url)),
            "RELAYCHAT_MODEL": "scripted",
            "RELAYCHAT_UPSTREAM_RETRY_BASE_SECONDS": "0.05",
            "RELAYCHAT_RECOVER_INTERVAL_SECONDS": "2",
            "RELAYCHAT_SECRETS_KEY": new_key(),
            **{f"RELAYCHAT_{name.upper()}": value for name, value in (settings or {}).items()},
        }
        if sentinels:
            self.env |= {"REDIS_SENTINELS": sentinels.addresses, "REDIS_SENTINEL_MASTER": MASTER}
        self.apis: list[Api] = []
        self.workers: list[Worker] = []
        self._key: str | None = None

    def key(self) -> str:
        """The admin's API key, made the first time a client needs it (through a running API)."""
        if self._key is None:
            self._key = admin_key(next(api for api in self.apis if api.popen.poll() is None).url)
        return self._key

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key()}"}

    def start_api(self, port: int | None = None, host: Host | None = None) -> Api:
        name = f"api-{host.namespace}" if host else f"api-{len(self.apis)}-{self.redis.port}"
        api = Api(name, self.env, self.log_dir, self.key, port, host)
        self.apis.append(api)
        return api

    def start_worker(self, command: tuple[str, ...] = WORKER_COMMAND, host: Host | None = None) -> Worker:
        name = f"worker-{host.namespace}" if host else f"worker-{len(self.workers)}-{self.redis.port}"
        worker = Worker(name, self.env, self.log_dir, command, host)
        self.workers.append(worker)
        return worker

    def start(self, workers: int = 1) -> Api:
        """An API process and `workers` worker processes; returns the API."""
        api = self.start_api()
        for _ in range(workers):
            self.start_worker()
        return api

    @property
    def api(self) -> Api:
        return self.apis[0]

    def client(self) -> httpx.Client:
        return self.api.client()

    def close(self) -> None:
        for process in [*self.workers, *self.apis]:
            process.stop()
        if self.sentinels:
            self.sentinels.stop()
        else:
            self.redis.stop()


def new_conversation(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/conversations", json=fields)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def ask(client: httpx.Client, conversation_id: str, content: str, **fields: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/conversations/{conversation_id}/messages", json={"content": content, **fields}
    )
    assert response.status_code == 202, response.text
    result: dict[str, Any] = response.json()
    return result


def wait_for_message(
    client: httpx.Client, message_id: str, timeout: float = 30, **expected: Any
) -> dict[str, Any]:
    """Poll the message until its fields match `expected` (by default: until it is final)."""
    deadline = time.monotonic() + timeout
    while True:
        message: dict[str, Any] = client.get(f"/api/messages/{message_id}").json()
        if expected:
            if all(message.get(k) == v for k, v in expected.items()):
                return message
        elif message["status"] in ("complete", "stopped", "failed"):
            return message
        if time.monotonic() > deadline:
            raise TimeoutError(f"message {message_id} is {message}, wanted {expected or 'final'}")
        time.sleep(0.05)


def unique(label: str) -> str:
    """A question no other test asks, so scripts and recorded requests never collide."""
    return f"{label} {uuid.uuid4().hex[:10]}"


MakeStack = Callable[..., Stack]
"""The `make_stack` fixture: `make_stack(**settings)` gives an isolated, not yet started deployment."""


def title_match(question: str) -> str:
    """What the title job's request to the model is matched by (its last user message)."""
    return title_prompt(question)[-1]["content"]


def job_results(worker: Process, job_id_pattern: str, function: str) -> list[str]:
    """What the ARQ jobs whose ids match ended with (their reprs, oldest first), from the worker's log."""
    pattern = re.compile(rf"← {job_id_pattern}:{re.escape(function)} ● (.*)$", re.MULTILINE)
    return pattern.findall(worker.log_text())


def title_results(worker: Process, conversation_id: str, count: int = 1, timeout: float = 20) -> list[str]:
    """Wait for `count` title jobs of the conversation to end (automatic or regenerated); their results."""
    job_ids = re.escape(f"title:{conversation_id}") + r"(?::[0-9a-f-]+)?"
    found: list[str] = []

    def ended() -> bool:
        found[:] = job_results(worker, job_ids, "make_title")
        return len(found) >= count

    wait_until(ended, timeout, f"{count} title job(s) of {conversation_id}", worker)
    return found
