"""JSON requests to a forge's REST API over httpx, with the one retry that can help: a 5xx answer,
a timeout or a dropped connection is tried once more; 4xx answers (401, 403, 404, 422) never are.
Errors carry the forge's own message. Knows no forge's paths.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from orchard.errors import ForgeError

log = logging.getLogger(__name__)

RETRY_DELAY_SECONDS = 0.5
HINTS = {
    401: "the token was refused",
    403: "the token is not allowed to do this",
    404: "no such repository, or the token cannot see it",
    422: "the forge refused the request",
}


async def send_json(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    body: Mapping[str, Any],
    timeout: float,
    forge: str,
) -> dict[str, Any]:
    """Send `body` as JSON and return the JSON answer; raise ForgeError with the forge's message."""
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        for attempt in (1, 2):
            try:
                response = await client.request(method, url, headers=dict(headers), json=body)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt == 1:
                    log.info("%s %s failed (%s); trying once more", method, url, exc)
                    await asyncio.sleep(RETRY_DELAY_SECONDS)
                    continue
                raise ForgeError(f"{forge} API at {url} could not be reached: {exc}") from exc
            if response.status_code >= 500 and attempt == 1:
                log.info("%s %s answered %d; trying once more", method, url, response.status_code)
                await asyncio.sleep(RETRY_DELAY_SECONDS)
                continue
            return _answer(response, forge)
    raise AssertionError("unreachable")  # pragma: no cover


def _answer(response: httpx.Response, forge: str) -> dict[str, Any]:
    data = _json(response)
    if response.is_success:
        if not isinstance(data, dict):
            raise ForgeError(f"{forge} answered {response.status_code} without a JSON object")
        return data
    status = response.status_code
    said = forge_message(data) or response.reason_phrase or "no message"
    hint = HINTS.get(status, "the request failed")
    raise ForgeError(f"{forge} API: {hint} ({status}): {said}", status)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def forge_message(data: Any) -> str:
    """Return the human message in a GitHub or GitLab error body ('' when there is none)."""
    if not isinstance(data, dict):
        return ""
    parts: list[str] = []
    message = data.get("message", data.get("error"))
    if isinstance(message, str):
        parts.append(message)
    elif isinstance(message, list):
        parts.extend(str(item) for item in message)
    elif isinstance(message, dict):  # GitLab: {"field": ["is invalid"]}
        parts.extend(
            f"{key} {'; '.join(map(str, v if isinstance(v, list) else [v]))}"
            for key, v in message.items()
        )
    for error in data.get("errors") or ():
        if isinstance(error, dict):
            detail = error.get("message") or " ".join(
                str(error[k]) for k in ("resource", "field", "code") if k in error
            )
            parts.append(str(detail))
        elif isinstance(error, str):
            parts.append(error)
    return "; ".join(p for p in parts if p)
