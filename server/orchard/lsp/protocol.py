"""The JSON-RPC protocol of Orchard's server: pygls' LSP protocol, made to answer bad requests.

pygls 2.1 drops a request whose params fail to deserialize (it only logs), so the client
waits until its own timeout. Here such a request gets an InvalidParams error response, and a
body that is not JSON gets a ParseError response with a null id, as JSON-RPC asks.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from cattrs import ClassValidationError, transform_error
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcParseError
from pygls.protocol import LanguageServerProtocol

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

    def answer_unparsable_body(self, error: json.JSONDecodeError) -> None:
        """Send the ParseError response JSON-RPC asks for when a body is not JSON."""
        # A plain dict: lsprotocol's converter would drop the null id JSON-RPC requires here.
        response = {
            "jsonrpc": "2.0",
            "id": None,
            "error": {"code": JsonRpcParseError.CODE, "message": f"Parse error: {error.msg}"},
        }
        self._send_data(response)


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, ClassValidationError):
        details = transform_error(exc, path="$")
        if details:
            return "; ".join(details[:3])
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
