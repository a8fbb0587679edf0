"""The JSON-RPC protocol of Orchard's server: pygls' LSP protocol, made to answer bad requests.

pygls 2.1 drops a request whose params fail to deserialize, and never answers bodies that are
not UTF-8, nest too deeply, lack "jsonrpc" or come after `shutdown`. Here every request with an
id gets an error response, malformed traffic is only logged (never shown to the user), and the
id of an unreadable body is recovered from its first bytes when it can be (else it is null).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from cattrs import ClassValidationError, transform_error
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
)
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from orchard.lsp.request_id import sniff_request_id

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MalformedRequest:
    """A request that arrived with an id but whose params could not be read."""

    id: int | str
    method: str
    reason: str
    jsonrpc: str = "2.0"


class OrchardProtocol(LanguageServerProtocol):
    """LanguageServerProtocol that answers every request, even one it cannot read."""

    # Orchard keeps open texts in its own line stores (documents.py); pygls' copy would cost
    # a whole-text rebuild per keystroke, so these two only hand over to the user handlers.
    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Any:
        """Hand didOpen to Orchard's handler without copying the text into pygls' workspace."""
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        """Hand didChange to Orchard's handler; pygls' text copy is not kept."""
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    def structure_message(self, data: dict[str, Any]) -> Any:
        """Deserialize a message, turning an unreadable request into a MalformedRequest."""
        try:
            return super().structure_message(data)
        except Exception as exc:
            if "id" in data and "method" in data and isinstance(data["id"], int | str):
                cause = exc.__cause__ or exc
                return MalformedRequest(data["id"], str(data["method"]), _first_line(cause))
            raise

    def handle_message(self, message: Any) -> None:
        """Answer MalformedRequests with InvalidParams; hand everything else to pygls."""
        if isinstance(message, MalformedRequest):
            log.warning(
                "invalid params for %s (id %s): %s", message.method, message.id, message.reason
            )
            error = types.ResponseError(
                code=JsonRpcInvalidParams.CODE,
                message=f"Invalid params for {message.method}: {message.reason}",
            )
            self._send_response(message.id, None, error)
            return
        super().handle_message(message)

    def receive_body(self, body: bytes | bytearray) -> None:
        """Read one frame's body and dispatch it; answer whatever cannot be dispatched.

        A bytearray is emptied once decoded: the raw bytes of a 5 MB didOpen would otherwise
        live on while its JSON is parsed.
        """
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.answer_error(body, JsonRpcParseError.CODE, f"body is not UTF-8 ({exc.reason})")
            return
        if isinstance(body, bytearray):
            body.clear()
        try:
            message = json.loads(text, object_hook=self.structure_message)
        except json.JSONDecodeError as exc:
            self.answer_error(text.encode(), JsonRpcParseError.CODE, f"not JSON: {exc.msg}")
            return
        except RecursionError:
            self.answer_error(text.encode(), JsonRpcInvalidRequest.CODE, "JSON nested too deeply")
            return
        except JsonRpcException as exc:  # a notification whose params cannot be read
            log.warning("dropped an unreadable message: %s", _first_line(exc.__cause__ or exc))
            return
        self._dispatch(text, message)

    def _dispatch(self, text: str, message: Any) -> None:
        if isinstance(message, dict) or not hasattr(message, "jsonrpc"):
            self.answer_error(
                text.encode(), JsonRpcInvalidRequest.CODE, "not a JSON-RPC 2.0 message"
            )
            return
        if message.jsonrpc != self.VERSION:
            self.answer_error(text.encode(), JsonRpcInvalidRequest.CODE, 'jsonrpc must be "2.0"')
            return
        method = getattr(message, "method", None)
        if self._shutdown and method is not None and method != types.EXIT:
            if getattr(message, "id", None) is not None:
                self.answer_error(
                    text.encode(), JsonRpcInvalidRequest.CODE, "the server is shut down"
                )
            else:
                log.info("ignored %s after shutdown", method)
            return
        self.handle_message(message)

    def answer_error(self, body: bytes | bytearray, code: int, reason: str) -> None:
        """Log a malformed message and, when it is a request or unreadable, answer `code`."""
        msg_id = sniff_request_id(body)
        log.warning("malformed message (id %s): %s", msg_id, reason)
        if msg_id is None and _looks_like_notification(body):
            return
        # A plain dict: lsprotocol's converter would drop the null id JSON-RPC requires here.
        error = {"code": code, "message": f"{_CODE_NAMES.get(code, 'Error')}: {reason}"}
        self._send_data({"jsonrpc": "2.0", "id": msg_id, "error": error})

    def answer_unparsable_body(self, error: json.JSONDecodeError) -> None:
        """Send the ParseError response JSON-RPC asks for when a body is not JSON."""
        self.answer_error(b"", JsonRpcParseError.CODE, f"not JSON: {error.msg}")


_CODE_NAMES = {
    JsonRpcParseError.CODE: "Parse error",
    JsonRpcInvalidRequest.CODE: "Invalid request",
}


def _looks_like_notification(body: bytes | bytearray) -> bool:
    """A readable object with a method and no id is a notification: JSON-RPC answers none."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and "method" in data and "id" not in data


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, ClassValidationError):
        details = transform_error(exc, path="$")
        if details:
            return "; ".join(details[:3])
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
