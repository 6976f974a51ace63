"""One relaychat deployment for bench/burst.py, run from the tree it is started in: this commit's,
or an older commit's worktree, so that both are measured by the same code.

Run as `python -c <this file's text> UPSTREAM_URL LOG_DIR SETTINGS_JSON` with the tree as the
working directory (its `tests.support.stack` is the one imported). Prints one JSON line (the
API's URL, the headers a client needs, the processes' pids, the workers' log files), then runs
until its standard input closes.
"""

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import httpx

from tests.support.stack import Stack


def unlimited(url: str, headers: dict[str, str]) -> None:
    """Every chat of a bench is the admin's: the default limits would measure the admission queue."""
    try:
        from core.limits import LIMIT_NAMES
    except ImportError:  # a tree from before limits
        return
    roles = {role: dict.fromkeys(LIMIT_NAMES) for role in ("admin", "user")}
    httpx.put(f"{url}/api/admin/limits", json=roles, headers=headers).raise_for_status()


def main() -> None:
    upstream_url, log_dir, settings = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
    stack = Stack(log_dir, SimpleNamespace(url=upstream_url), settings=settings)  # type: ignore[arg-type]
    try:
        api = stack.start()
        # A tree from before accounts has no key to send.
        headers: dict[str, str] = getattr(stack, "headers", {})
        if headers:
            unlimited(api.url, headers)
        worker = stack.workers[0]
        pids = {"api": api.popen.pid, "worker": worker.popen.pid, "redis": stack.redis.popen.pid}
        ready = {"url": api.url, "headers": headers, "pids": pids, "worker_log": str(worker.log_path)}
        print(json.dumps(ready), flush=True)
        sys.stdin.read()
    finally:
        stack.close()


if __name__ == "__main__":
    main()
