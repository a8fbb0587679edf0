"""A server whose editor has gone ends even when background work ignores its cancellation or a
worker thread is stuck: no orphaned `orchard serve` processes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

from orchard.lsp.transport import end_background_tasks


def test_tasks_that_end_when_cancelled_are_waited_for_and_stragglers_named() -> None:
    async def scenario() -> tuple[list[str], bool]:
        ended = asyncio.Event()

        async def polite() -> None:
            try:
                await asyncio.sleep(3600)
            finally:
                ended.set()

        async def stubborn() -> None:
            while True:
                try:
                    await asyncio.sleep(3600)
                except asyncio.CancelledError:
                    continue

        asyncio.ensure_future(polite()).set_name("polite")
        asyncio.ensure_future(stubborn()).set_name("stubborn")
        await asyncio.sleep(0)
        left = await end_background_tasks(0.2)
        return [t.get_name() for t in left], ended.is_set()

    loop = asyncio.new_event_loop()
    try:
        names, polite_ended = loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert names == ["stubborn"]
    assert polite_ended


def test_a_stuck_worker_thread_does_not_keep_the_process_alive() -> None:
    program = textwrap.dedent(
        """
        import threading
        from orchard.cli.serve import exit_even_if_stuck
        threading.Thread(target=threading.Event().wait).start()  # never ends, not a daemon
        exit_even_if_stuck(3, grace=0.5)
        """
    )
    done = subprocess.run([sys.executable, "-c", program], timeout=60, capture_output=True)
    assert done.returncode == 3
