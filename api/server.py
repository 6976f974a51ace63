"""How `relaychat api` serves HTTP: uvicorn's httptools protocol, with a time limit on a request's
head. uvicorn has none: a client sending its headers a byte at a time held a connection for as
long as it liked, before anything could sign it in or refuse it (issue 22, finding 9)."""

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from core.settings import get_settings


class HeaderTimedProtocol(HttpToolsProtocol):
    """Closes a connection whose request's head takes longer than `RELAYCHAT_HEADER_TIMEOUT_SECONDS`
    from its first byte (or the connection's opening); the body's time is the app's (api/guards.py),
    and idle keep-alive connections are uvicorn's."""

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:
            self._start_head_timer()

    def on_headers_complete(self) -> None:
        self._stop_head_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def _start_head_timer(self) -> None:
        timeout = get_settings().header_timeout_seconds
        self._head_timer = self.loop.call_later(timeout, self._head_too_slow)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()
