"""LSP base-protocol framing: split a byte stream into bodies, bounded, resyncing after garbage.

Owns headers and body lengths only; what a body means is the protocol's business. A frame too
big is refused without being read; after any framing error reading resumes at the next
`Content-Length` header. This never raises on bad input: it yields a `Frame` that says why.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import BinaryIO

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 256 * 1024 * 1024  # a 5 MB buffer is ~6 MB as JSON; this is far beyond
MAX_HEADER_BYTES = 8 * 1024
HEADER_START = re.compile(rb"content-length:", re.IGNORECASE)
# Raw CR/LF can never be inside a JSON string and `Content-Length:` is no JSON token, so this
# inside a body proves the body was cut short and the next frame has begun.
NEXT_FRAME = re.compile(rb"content-length:[ \t]*\d+[ \t]*\r\n", re.IGNORECASE)
# How far before a "\r\n" such a header line is looked for (the regex over a whole 5 MB body
# costs 40-100 ms; looking only behind each "\r", found at memchr speed, costs about nothing).
HEADER_LINE_BYTES = 128
COPY_BELOW = 1 << 16  # smaller bodies are copied out of the buffer; larger ones are handed over
HEADER_LINE = re.compile(rb"([A-Za-z0-9-]+):[ \t]*([^\r\n]*)")
SNIFF_BYTES = 512

ChunkSource = Callable[[], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class Frame:
    """A complete body, or (body None) a frame that was refused; `head` is its first bytes."""

    body: bytearray | None
    problem: str = ""
    head: bytes = b""


class FrameReader:
    """Reads frames from `read_chunk` (returns b"" at end of stream)."""

    def __init__(self, read_chunk: ChunkSource, max_frame: int = MAX_FRAME_BYTES) -> None:
        self._read_chunk = read_chunk
        self._max_frame = max_frame
        self._buffer = bytearray()
        self._eof = False
        self.incomplete = False  # the stream ended inside a frame

    async def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = await self._read_chunk()
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    async def frames(self) -> AsyncIterator[Frame]:
        """Yield every frame until the stream ends."""
        while True:
            header_end = await self._find_header_end()
            if header_end is None:
                self.incomplete = bool(self._buffer.strip())
                return
            length, problem = parse_headers(bytes(self._buffer[:header_end]))
            if problem:
                log.warning("framing error: %s; skipping to the next header", problem)
                self._resync(1)
                continue
            body_start = header_end + 4
            if length > self._max_frame:
                head = bytes(self._buffer[body_start : body_start + SNIFF_BYTES])
                log.warning("refused a frame of %d bytes (limit %d)", length, self._max_frame)
                self._resync(body_start)
                yield Frame(None, f"frame of {length} bytes is over the limit", head)
                continue
            frame = await self._read_body(body_start, length)
            if frame is None:
                self.incomplete = True
                return
            yield frame

    async def _find_header_end(self) -> int | None:
        scanned = 0
        while True:
            end = self._buffer.find(b"\r\n\r\n", max(0, scanned - 3))
            if end >= 0:
                return end
            scanned = len(self._buffer)
            if scanned > MAX_HEADER_BYTES:
                log.warning("framing error: %d bytes without a header; resyncing", scanned)
                self._resync(1)
                scanned = 0
            if not await self._fill():
                return None

    async def _read_body(self, start: int, length: int) -> Frame | None:
        end = start + length
        scanned = start
        while True:
            limit = min(len(self._buffer), end)
            cut = find_next_frame(self._buffer, start, limit, max(start, scanned - 1))
            if cut >= 0 and limit < end:
                head = bytes(self._buffer[start : min(cut, start + SNIFF_BYTES)])
                log.warning("framing error: a body was shorter than its Content-Length")
                del self._buffer[:cut]
                return Frame(None, "body shorter than its Content-Length", head)
            if cut >= 0:  # complete, but the next frame starts inside: it was too long
                return Frame(self._take(start, cut))
            if limit == end:
                return Frame(self._take(start, end))
            scanned = limit
            if not await self._fill():
                return None

    def _take(self, start: int, stop: int) -> bytearray:
        """Remove the buffer up to `stop` and return its bytes from `start`, a large body
        without copying it."""
        if stop - start < COPY_BELOW:
            body = self._buffer[start:stop]
            del self._buffer[:stop]
            return body
        body, self._buffer = self._buffer, self._buffer[stop:]
        del body[stop:]
        del body[:start]
        return body

    def _resync(self, skip: int) -> None:
        """Drop bytes up to the next `Content-Length` at or after `skip` (or keep a tail)."""
        found = HEADER_START.search(self._buffer, skip)
        if found is not None:
            del self._buffer[: found.start()]
            return
        keep = len(b"content-length:") - 1
        del self._buffer[: max(skip, len(self._buffer) - keep)]


def find_next_frame(data: bytearray, start: int, end: int, scan_from: int) -> int:
    """Return where a `Content-Length` header line starts in data[start:end], or -1; only
    "\r"s at or after `scan_from` are looked behind (those before were looked at already)."""
    position = scan_from
    while (carriage := data.find(b"\r", position, end)) >= 0:
        found = NEXT_FRAME.search(data, max(start, carriage - HEADER_LINE_BYTES), carriage + 2)
        if found is not None and found.end() <= end:
            return found.start()
        position = carriage + 1
    return -1


def parse_headers(block: bytes) -> tuple[int, str]:
    """Return (Content-Length, "") for a valid header block, else (0, what is wrong)."""
    length: int | None = None
    for line in block.split(b"\r\n"):
        match = HEADER_LINE.fullmatch(line)
        if match is None:
            return 0, f"not a header line: {line[:60]!r}"
        name, value = match.group(1).lower(), match.group(2).strip()
        if name == b"content-length":
            if not value.isdigit():
                return 0, f"bad Content-Length {value[:30]!r}"
            length = int(value)
    if length is None:
        return 0, "headers without Content-Length"
    return length, ""


def stdin_chunks(stream: BinaryIO) -> ChunkSource:
    """Read `stream` on a daemon thread (never blocks exit) and hand chunks to the loop."""
    queue: asyncio.Queue[bytes] | None = None

    def pump(loop: asyncio.AbstractEventLoop, out: asyncio.Queue[bytes]) -> None:
        # The raw descriptor: a daemon thread inside a buffered reader's lock aborts the
        # interpreter at exit.
        fd = stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except (OSError, ValueError):
                chunk = b""
            loop.call_soon_threadsafe(out.put_nowait, chunk)
            if not chunk:
                return

    async def read_chunk() -> bytes:
        nonlocal queue
        if queue is None:
            queue = asyncio.Queue()
            thread = threading.Thread(
                target=pump, args=(asyncio.get_running_loop(), queue), daemon=True
            )
            thread.start()
        return await queue.get()

    return read_chunk
