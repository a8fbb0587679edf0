"""Frame reading over a real byte stream cut into chunks: large bodies, cut-short and overlong
frames, and JSON whose whitespace holds CR/LF."""

from __future__ import annotations

import asyncio
import json

from orchard.lsp.framing import Frame, FrameReader


def frame(body: bytes, length: int | None = None) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body


def read(stream: bytes, chunk: int) -> list[Frame]:
    pieces = [stream[i : i + chunk] for i in range(0, len(stream), chunk)]

    async def next_chunk() -> bytes:
        return pieces.pop(0) if pieces else b""

    async def collect() -> list[Frame]:
        return [f async for f in FrameReader(next_chunk).frames()]

    return asyncio.run(collect())


def message(text: str, indent: int | None = None) -> bytes:
    params = {"textDocument": {"text": text}}
    body = json.dumps({"jsonrpc": "2.0", "method": "m", "params": params}, indent=indent)
    return body.replace("\n", "\r\n").encode()


def test_a_large_body_in_odd_chunks_arrives_whole_and_so_does_the_next() -> None:
    big, small = message("x = 1\n" * 50_000), message("small")
    assert [f.body for f in read(frame(small) + frame(small), 1)] == [small, small]
    for chunk in (7, 4096, 65_537):
        assert [f.body for f in read(frame(big) + frame(small), chunk)] == [big, small]


def test_pretty_json_with_crlf_is_not_taken_for_a_header() -> None:
    body = message("Content-Length: 12", indent=2)
    assert b"\r\n" in body
    frames = read(frame(body) + frame(body), 3)
    assert [f.body for f in frames] == [body, body]


def test_a_body_cut_short_is_refused_and_the_next_frame_read() -> None:
    big, small = message("y" * 300_000), message("small")
    for chunk in (5, 65_536):
        frames = read(frame(big[:1000], len(big)) + frame(small), chunk)
        assert frames[0].body is None and big.startswith(frames[0].head[:512]) and frames[0].head
        assert [f.body for f in frames[1:]] == [small]


def test_an_overlong_length_that_the_stream_covers_is_cut_at_the_next_header() -> None:
    big, small = message("z" * 200_000), message("small")
    stream = frame(big, len(big) + 40) + frame(small) + frame(small) + b" " * 200
    frames = read(stream, 1 << 20)  # all of it at once: the body is "complete"
    assert [f.body for f in frames[:3]] == [big, small, small]
