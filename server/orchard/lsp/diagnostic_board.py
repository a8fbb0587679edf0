"""One place that publishes diagnostics: each source (lint, review, merge markers) sets its own
list per URI, and every publish carries the union of all sources for that URI, so no feature's
diagnostics overwrite another's. Knows nothing of what produced them.
"""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types

Publish = Callable[[types.PublishDiagnosticsParams], None]


class DiagnosticBoard:
    """Per URI and source, the protocol diagnostics last set; publishes their union."""

    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self._sets: dict[str, dict[str, list[types.Diagnostic]]] = {}

    def set(
        self,
        uri: str,
        source: str,
        diagnostics: list[types.Diagnostic],
        version: int | None = None,
    ) -> None:
        """Replace what `source` says about `uri` and publish everything known for it."""
        sources = self._sets.setdefault(uri, {})
        if diagnostics:
            sources[source] = list(diagnostics)
        else:
            sources.pop(source, None)
        if not sources:
            self._sets.pop(uri, None)
        self._publish(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=self.all(uri), version=version)
        )

    def clear(self, uri: str, source: str) -> None:
        """Forget what `source` says about `uri` (publishing the rest)."""
        self.set(uri, source, [])

    def get(self, uri: str, source: str) -> list[types.Diagnostic]:
        """Return what `source` last said about `uri`."""
        return list(self._sets.get(uri, {}).get(source, []))

    def uris(self, source: str) -> list[str]:
        """Return the URIs `source` has diagnostics on."""
        return [uri for uri, sources in self._sets.items() if source in sources]

    def all(self, uri: str) -> list[types.Diagnostic]:
        """Return every source's diagnostics of `uri`, in source order."""
        return [d for found in self._sets.get(uri, {}).values() for d in found]
