"""Logging for our own modules, beside uvicorn's and ARQ's."""

import logging

OUR_LOGGERS = ("api", "core", "worker")


def configure_logging(level: int = logging.INFO) -> None:
    """Our loggers print beside uvicorn's and arq's (which configure only their own)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    for name in OUR_LOGGERS:
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(level)
