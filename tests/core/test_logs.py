"""`RELAYCHAT_LOG_FORMAT=json` (core/logs.py): one JSON object a record, with the request, answer
and attempt of the context it was made in."""

import json
import logging
import sys

from core.logs import ANSWER_ID, ATTEMPT, REQUEST_ID, JsonLines


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
