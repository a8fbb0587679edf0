"""Malformed traffic sent byte by byte to the real `orchard serve`: each gets an answer or is
skipped, the server resyncs and keeps answering, and nothing pops up in the editor."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lsp.raw_client import RawClient

PARSE_ERROR, INVALID_REQUEST = -32700, -32600


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[RawClient]:
    client = RawClient(tmp_path)
    client.initialize(None)
    yield client
    client.close()


def command_body(msg_id: int) -> bytes:
    params = {"command": "orchard.showSettings"}
    message = {"jsonrpc": "2.0", "id": msg_id, "method": "workspace/executeCommand"}
    return json.dumps({**message, "params": params}).encode()


def assert_still_serving(raw: RawClient, msg_id: int) -> None:
    assert raw.show_settings(msg_id)["result"]["agents"]["max_reflections"] == 3
    assert raw.process.poll() is None


def test_oversized_frame_is_refused_and_the_next_frame_is_answered(raw: RawClient) -> None:
    raw.send_body(command_body(10), length=99_999_999_999)
    raw.request(11, "workspace/executeCommand", {"command": "orchard.showSettings"})

    refused = raw.answer(10)
    assert refused["error"]["code"] == INVALID_REQUEST
    assert "result" in raw.answer(11)
    assert_still_serving(raw, 12)
    assert raw.popups() == []


def test_garbage_between_frames_is_skipped(raw: RawClient) -> None:
    raw.send_bytes(b"this is not a header\r\nnor this\r\n\r\n{}")
    assert_still_serving(raw, 20)
    raw.send_bytes(b"Content-Length: -5\r\n\r\n" + command_body(21))
    assert_still_serving(raw, 22)
    raw.send_bytes(b"Content-Length: abc\r\n\r\n" + command_body(23))
    assert_still_serving(raw, 24)
    raw.send_bytes(b"\x00\xff" * 10_000)  # no header at all, longer than any header block
    assert_still_serving(raw, 25)
    assert raw.popups() == []


def test_body_shorter_than_its_length_is_answered_and_the_next_frame_read(
    raw: RawClient,
) -> None:
    raw.send_body(command_body(30), length=len(command_body(30)) + 500)
    raw.request(31, "workspace/executeCommand", {"command": "orchard.showSettings"})

    assert raw.answer(30)["error"]["code"] == INVALID_REQUEST
    assert "result" in raw.answer(31)
    assert raw.popups() == []


def test_body_that_is_not_utf8_gets_parse_error_with_its_id(raw: RawClient) -> None:
    body = command_body(40).replace(b"orchard.showSettings", b"orchard.\xff\xfe")
    raw.send_body(body)

    answer = raw.answer(40)
    assert answer["error"]["code"] == PARSE_ERROR
    assert_still_serving(raw, 41)
    assert raw.popups() == []


def test_deeply_nested_request_gets_an_error_with_its_id(raw: RawClient) -> None:
    depth = 100_000
    head = b'{"jsonrpc": "2.0", "id": 50, "method": "workspace/executeCommand", "params": '
    raw.send_body(head + b"[" * depth + b"]" * depth + b"}")

    assert raw.answer(50)["error"]["code"] in (PARSE_ERROR, INVALID_REQUEST)
    assert_still_serving(raw, 51)
    assert raw.popups() == []


def test_request_without_jsonrpc_gets_invalid_request(raw: RawClient) -> None:
    raw.send({"id": 60, "method": "workspace/executeCommand", "params": {"command": "x"}})
    raw.send({"jsonrpc": "1.0", "id": 61, "method": "shutdown"})
    raw.send_body(b"[1, 2, 3]")

    assert raw.answer(60)["error"]["code"] == INVALID_REQUEST
    assert raw.answer(61)["error"]["code"] == INVALID_REQUEST
    assert raw.answer(None)["error"]["code"] == INVALID_REQUEST  # type: ignore[arg-type]
    assert_still_serving(raw, 62)
    assert raw.popups() == []


def test_notification_with_bad_params_is_logged_not_shown(raw: RawClient) -> None:
    raw.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": 5}})
    raw.send_body(b"{not json")

    assert raw.answer(None)["error"]["code"] == PARSE_ERROR  # type: ignore[arg-type]
    assert_still_serving(raw, 70)
    assert raw.popups() == []


def test_request_after_shutdown_gets_invalid_request_then_exit_ends_cleanly(
    raw: RawClient,
) -> None:
    raw.request(80, "shutdown")
    assert raw.answer(80)["result"] is None

    raw.request(81, "workspace/executeCommand", {"command": "orchard.showSettings"})
    assert raw.answer(81)["error"]["code"] == INVALID_REQUEST

    raw.send({"jsonrpc": "2.0", "method": "exit"})
    assert raw.wait() == 0


def test_stream_that_ends_inside_a_frame_exits_with_an_error(raw: RawClient) -> None:
    raw.send_bytes(b'Content-Length: 500\r\n\r\n{"jsonrpc"')
    assert raw.process.stdin is not None
    raw.process.stdin.close()

    assert raw.wait() != 0
