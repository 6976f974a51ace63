"""A lean Server-Sent Events decoder for the model's stream: bytes in, each event's data out.

The OpenAI SDK still makes the request and raises its errors; reading the body here skips the
pydantic objects it builds per chunk, the largest cost per token (docs/performance.md)."""

from collections.abc import AsyncIterable, AsyncIterator


class SSEDecoder:
    """Feeds on network chunks, yields the `data` of each complete event (multi-line data joined)."""

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[bytes] = []

    def feed(self, chunk: bytes) -> list[str]:
        buffer = self._buffer + chunk
        if b"\r" in buffer:
            # A CR at the very end may be the first half of a CRLF split across chunks: keep it.
            tail = b"\r" if buffer.endswith(b"\r") else b""
            buffer = buffer[: len(buffer) - len(tail)].replace(b"\r\n", b"\n").replace(b"\r", b"\n") + tail
        *lines, self._buffer = buffer.split(b"\n")
        events: list[str] = []
        for line in lines:
            if not line:
                if self._data:
                    events.append(b"\n".join(self._data).decode())
                    self._data = []
            elif line.startswith(b"data:"):
                value = line[5:]
                self._data.append(value[1:] if value.startswith(b" ") else value)
            # Other fields (event:, id:, retry:) and comments mean nothing in a chat completion stream.
        return events

    def end(self) -> list[str]:
        """The last event, when the body ended without its blank line."""
        events = self.feed(b"\n\n") if self._buffer or self._data else []
        return events


async def sse_data(chunks: AsyncIterable[bytes]) -> AsyncIterator[str]:
    """The data of every event of an SSE body."""
    decoder = SSEDecoder()
    async for chunk in chunks:
        for data in decoder.feed(chunk):
            yield data
    for data in decoder.end():
        yield data
