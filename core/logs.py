"""Logging for our own modules, beside uvicorn's and ARQ's."""

import logging
from contextvars import ContextVar

OUR_LOGGERS = ("api", "core", "worker")

# The id of the request being served (its `x-request-id`, set by api/guards.py), "" outside one.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
# uvicorn's access line, with the request's id: `relaychat api` runs uvicorn with it.
ACCESS_FORMAT = '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s%(request_id)s'


class RequestIds(logging.Filter):
    """Each record made while a request is served ends with its id, which the response's
    `x-request-id` gives the user to quote; other records (a worker's) end as they were."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        record.request_id = f" [{request_id}]" if request_id else ""
        return True


class NoQueryStrings(logging.Filter):
    """Access log lines without their query strings, which carry what people search for."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access record: (client, method, path with its query, HTTP version, status).
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            if isinstance(path, str):
                record.args = (client, method, path.partition("?")[0], version, status)
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Our loggers print beside uvicorn's and arq's (which configure only their own), each line
    with the request it was made in, if any; uvicorn's access log leaves query strings out and
    carries the request's id."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueryStrings) for f in access.filters):
        access.addFilter(NoQueryStrings())
        access.addFilter(RequestIds())
    handler = logging.StreamHandler()
    handler.addFilter(RequestIds())
    line = "%(asctime)s %(levelname)s %(name)s: %(message)s%(request_id)s"
    handler.setFormatter(logging.Formatter(line, "%H:%M:%S"))
    for name in OUR_LOGGERS:
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(level)
