"""What every benchmark needs: percentiles, a process's CPU and memory, Redis's command count."""

import json
import os
from pathlib import Path
from typing import Any, cast

import redis

RESULTS = Path(__file__).parent / "results"
_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99 (nearest rank) in milliseconds."""
    ordered = sorted(seconds) or [0.0]

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    return {"p50_ms": pick(0.5), "p95_ms": pick(0.95), "p99_ms": pick(0.99)}


class ProcessMeter:
    """CPU seconds a process used since `start()`, read from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._started = 0.0

    def _cpu(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS

    def start(self) -> None:
        self._started = self._cpu()

    def cpu_seconds(self) -> float:
        return self._cpu() - self._started

    def rss_bytes(self) -> int:
        return int(Path(f"/proc/{self.pid}/statm").read_text().split()[1]) * _PAGE


def redis_commands(port: int) -> int:
    """Commands the server has run (INFO commandstats), scripts' inner calls included."""
    client = redis.Redis(port=port)
    try:
        stats = cast("dict[str, dict[str, int]]", client.info("commandstats"))
        return sum(entry["calls"] for name, entry in stats.items() if name != "cmdstat_info")
    finally:
        client.close()


def redis_clients(port: int, name_prefix: str) -> int:
    """Connections open to Redis whose client name starts with `name_prefix`."""
    client = redis.Redis(port=port)
    try:
        clients = cast("list[dict[str, str]]", client.client_list())
        return sum(1 for c in clients if c.get("name", "").startswith(name_prefix))
    finally:
        client.close()


def write_result(name: str, result: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
