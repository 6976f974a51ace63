"""`RELAYCHAT_LOG_FORMAT=json` (core/logs.py): one JSON object a record, with the request, answer
and attempt of the context it was made in."""

import json
import logging
import sys

from core.logs import ANSWER_ID, ATTEMPT, REQUEST_ID, JsonLines, NoSecretsInPaths


def _record(message: str, *args: object, exc_info: bool = False) -> logging.LogRecord:
    info = sys.exc_info() if exc_info else None
    return logging.LogRecord("worker.streaming", logging.WARNING, __file__, 1, message, args, info)


def test_a_record_is_one_line_of_json_with_its_context() -> None:
    formatter = JsonLines("worker")
    request, answer, attempt = REQUEST_ID.set("req_1"), ANSWER_ID.set("answer-1"), ATTEMPT.set(2)
    try:
        line = formatter.format(_record("answer %s: %s → retrying", "answer-1", "timeout"))
    finally:
        REQUEST_ID.reset(request)
        ANSWER_ID.reset(answer)
        ATTEMPT.reset(attempt)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry.pop("time").endswith("Z")
    assert entry.pop("pid") > 0
    assert entry == {
        "level": "WARNING",
        "logger": "worker.streaming",
        "process": "worker",
        "message": "answer answer-1: timeout → retrying",
        "request_id": "req_1",
        "answer_id": "answer-1",
        "attempt": 2,
    }


def test_outside_a_request_or_a_job_no_ids_and_an_exception_on_the_same_line() -> None:
    try:
        raise ValueError("broken\nacross lines")
    except ValueError:
        line = JsonLines("api").format(_record("failed", exc_info=True))
    entry = json.loads(line)
    assert not {"request_id", "answer_id", "attempt"} & set(entry)
    assert entry["process"] == "api"
    assert "ValueError: broken" in entry["exception"]
    assert "\n" not in line


def test_an_access_line_leaves_out_a_shared_links_token_and_a_query_string() -> None:
    """Once every view of a shared link logged its live token."""
    seen = {
        "/api/shared/tok-en_1?x=1": "/api/shared/…",
        "/share/tok-en_1": "/share/…",
        "/api/search?q=secret": "/api/search",
        "/api/conversations/c/share": "/api/conversations/c/share",
        "/assets/share/x.js": "/assets/share/x.js",
    }
    for path, logged in seen.items():
        record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "%s", None, None)
        record.args = ("127.0.0.1:1", "GET", path, "1.1", 200)
        assert NoSecretsInPaths().filter(record)
        assert record.args[2] == logged, path
