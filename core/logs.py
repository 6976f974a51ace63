"""Logging for our own modules, beside uvicorn's and ARQ's: lines for a person, or JSON objects.

`RELAYCHAT_LOG_FORMAT=json` makes every line of a process (ours, uvicorn's, ARQ's, any library's
warning) one JSON object: `time`, `level`, `logger`, `process` (`api` or `worker`), `pid`,
`message`, and `request_id`, `answer_id` and `attempt` where they apply (the context variables
below, set by api/guards.py for a request and by the worker's job for an answer). No log line
carries a secret or what a message says: lines name ids, never contents (a stack test grepping
every process's log for a question's text, an answer's, a password and keys checks it).
"""

import json
import logging
import os
import re
import time
from contextvars import ContextVar
from typing import Any

OUR_LOGGERS = ("api", "core", "worker")
# Loggers of the servers we run in, whose INFO lines are worth keeping (uvicorn's sets its own levels).
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "arq")

# The id of the request being served (its `x-request-id`, set by api/guards.py), "" outside one.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
# The answer a worker's job is for (set by worker/arq_worker.py), "" outside one.
ANSWER_ID: ContextVar[str] = ContextVar("answer_id", default="")
# The attempt at it, once known (worker/generate.py, worker/streaming.py), 0 before.
ATTEMPT: ContextVar[int] = ContextVar("attempt", default=0)
# A shared link's token, in the API's path and the page's (core/shares.SHARE_PATH).
SHARE_TOKEN = re.compile(r"^(/api/shared/|/share/)[^/]+")
# uvicorn's access line, with the request's id: `relaychat api` runs uvicorn with it.
ACCESS_FORMAT = '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s%(request_id)s'


class RequestIds(logging.Filter):
    """Each record made while a request is served ends with its id, which the response's
    `x-request-id` gives the user to quote; other records (a worker's) end as they were."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        record.request_id = f" [{request_id}]" if request_id else ""
        return True


class NoSecretsInPaths(logging.Filter):
    """Access log lines without their query strings, which carry what people search for, and
    without a shared link's token, which opens the conversation to whoever reads the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access record: (client, method, path with its query, HTTP version, status).
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            if isinstance(path, str):
                path = SHARE_TOKEN.sub(r"\1…", path.partition("?")[0])
                record.args = (client, method, path, version, status)
        return True


class JsonLines(logging.Formatter):
    """One JSON object a record, on one line: what a log collector parses without a pattern."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        moment = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        entry: dict[str, Any] = {
            "time": f"{moment}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "process": self.process,
            "pid": record.process or os.getpid(),
            "message": record.getMessage(),
        }
        if request_id := REQUEST_ID.get():
            entry["request_id"] = request_id
        if answer_id := ANSWER_ID.get():
            entry["answer_id"] = answer_id
        if attempt := ATTEMPT.get():
            entry["attempt"] = attempt
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(process: str = "api", log_format: str = "text", level: int = logging.INFO) -> None:
    """Our loggers print beside uvicorn's and arq's, each line with the request it was made in, if
    any; uvicorn's access log leaves query strings and shared links' tokens out and carries the
    request's id.

    `text` (the default): our lines are added to what uvicorn and ARQ configured for theirs. `json`:
    every logger of the process writes through one handler of JSON lines on the root logger (our
    loggers, uvicorn's and ARQ's at `level`, any other library's warnings); `relaychat api` and the
    worker call this before their servers start, so their first lines are JSON too. Safe to call
    again (the API's and the worker's start-up do)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoSecretsInPaths) for f in access.filters):
        access.addFilter(NoSecretsInPaths())
        access.addFilter(RequestIds())
    if log_format == "json":
        _json_lines(process, level)
        return
    handler = logging.StreamHandler()
    handler.addFilter(RequestIds())
    line = "%(asctime)s %(levelname)s %(name)s: %(message)s%(request_id)s"
    handler.setFormatter(logging.Formatter(line, "%H:%M:%S"))
    for name in OUR_LOGGERS:
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(level)


def _json_lines(process: str, level: int) -> None:
    root = logging.getLogger()
    if not any(isinstance(handler.formatter, JsonLines) for handler in root.handlers):
        for handler in list(root.handlers):
            root.removeHandler(handler)
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLines(process))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)  # other libraries' warnings; their INFO lines would be noise
        logging.captureWarnings(True)  # Python's warnings too, as JSON lines rather than text
    for name in (*OUR_LOGGERS, *SERVER_LOGGERS):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True
        if logger.level == logging.NOTSET:
            logger.setLevel(level)
