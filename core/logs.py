"""Logging for our own modules, beside uvicorn's and ARQ's."""

import logging

OUR_LOGGERS = ("api", "core", "worker")


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
    """Our loggers print beside uvicorn's and arq's (which configure only their own); uvicorn's
    access log leaves query strings out."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueryStrings) for f in access.filters):
        access.addFilter(NoQueryStrings())
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    for name in OUR_LOGGERS:
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(level)
