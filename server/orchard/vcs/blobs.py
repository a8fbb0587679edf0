"""Reads git blobs through one `git cat-file --batch` process (a merge plan needs one or two per
changed file; one process per blob would cost more than the merge). A plan asks as it goes and
reads the answers when it needs them; requests are written without blocking, so neither side
waits on a full pipe. Reads only, never writes.
"""

from __future__ import annotations

import collections
import os
import selectors
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from orchard.errors import GitError
from orchard.vcs.environment import git_environment
from orchard.vcs.git import NO_HOOKS


class BlobReader:
    """One `git cat-file --batch` process in `root`: ask for names, then get their contents."""

    def __init__(self, root: Path, env: Mapping[str, str] | None = None) -> None:
        self._process = subprocess.Popen(
            ["git", *NO_HOOKS, "cat-file", "--batch"],
            cwd=root,
            env=git_environment(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._requests, self._answers_in = self._process.stdin, self._process.stdout
        os.set_blocking(self._requests.fileno(), False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._answers_in, selectors.EVENT_READ)
        self._unsent = bytearray()
        self._unread = bytearray()  # answers received but not parsed yet
        self._asked: set[str] = set()
        self._order: collections.deque[str] = collections.deque()  # asked, not answered yet
        self._answers: dict[str, bytes | None] = {}

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ask(self, names: Iterable[str]) -> None:
        """Queue `names` (object ids, or `tree:path`); all-zero ids and repeats are skipped."""
        fresh = [n for n in dict.fromkeys(names) if _askable(n) and n not in self._asked]
        if not fresh:
            return
        self._asked.update(fresh)
        self._order.extend(fresh)
        self._unsent += "".join(f"{n}\n" for n in fresh).encode("utf-8", "surrogateescape")
        self._send()

    def get(self, name: str) -> bytes | None:
        """Return the blob `name` (asking for it when not asked yet); None when git has none."""
        if not _askable(name):
            return None
        self.ask([name])
        while name not in self._answers:
            self._wait()
        return self._answers[name]

    def close(self) -> None:
        """End the process."""
        self._selector.close()
        try:
            self._requests.close()
        except BrokenPipeError:
            pass
        self._answers_in.close()
        self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()

    def _send(self) -> None:
        try:
            while self._unsent:
                del self._unsent[: os.write(self._requests.fileno(), self._unsent)]
        except BlockingIOError:
            pass  # the pipe is full: sent once git has read some
        except BrokenPipeError:
            raise GitError(f"git cat-file ended early: {self._stderr()}") from None

    def _wait(self) -> None:
        """Wait for answers (sending what is left of the requests meanwhile) and parse them."""
        writing = bool(self._unsent)
        if writing:
            self._selector.register(self._requests, selectors.EVENT_WRITE)
        try:
            ready = {key.fileobj for key, _ in self._selector.select()}
        finally:
            if writing:
                self._selector.unregister(self._requests)
        if self._requests in ready:
            self._send()
        if self._answers_in in ready:
            data = os.read(self._answers_in.fileno(), 1 << 16)
            if not data:
                raise GitError(f"git cat-file ended before answering: {self._stderr()}")
            self._unread += data
            self._parse()

    def _parse(self) -> None:
        at = 0
        while self._order:
            end = self._unread.find(b"\n", at)
            if end < 0:
                break
            fields = bytes(self._unread[at:end]).split(b" ")
            content: bytes | None = None
            if len(fields) == 3 and fields[2].isdigit():  # else "<name> missing" or "ambiguous"
                size = int(fields[2])
                if len(self._unread) < end + 1 + size + 1:  # the content, then a newline
                    break
                if fields[1] == b"blob":
                    content = bytes(self._unread[end + 1 : end + 1 + size])
                end += size + 1
            self._answers[self._order.popleft()] = content
            at = end + 1
        del self._unread[:at]

    def _stderr(self) -> str:
        if self._process.poll() is None or self._process.stderr is None:
            return "no answer"
        return self._process.stderr.read().decode("utf-8", "replace").strip() or "no message"


def read_blobs(root: Path, names: Iterable[str], *, missing_ok: bool = False) -> dict[str, bytes]:
    """Return the content of every blob named in `names` (ids, or `tree:path`), keyed by name.

    The all-zero id stands for none. A name git cannot find raises GitError, or with
    `missing_ok` is left out of the result.
    """
    wanted = [n for n in dict.fromkeys(names) if _askable(n)]
    found: dict[str, bytes] = {}
    if not wanted:
        return found
    with BlobReader(root) as reader:
        reader.ask(wanted)
        for name in wanted:
            content = reader.get(name)
            if content is not None:
                found[name] = content
            elif not missing_ok:
                raise GitError(f"git cat-file could not read {name}")
    return found


def _askable(name: str) -> bool:
    return bool(name.strip("0")) and "\n" not in name  # all zeros: git's id of no object
