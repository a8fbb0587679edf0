"""The event bus (listeners and subscriptions) and the task budget's bookkeeping."""

from __future__ import annotations

import asyncio
import logging

import pytest

from orchard.agents.budget import Budget
from orchard.agents.events import Event, EventBus, RunProgress, RunStateChanged, TaskFinished
from orchard.agents.task import RunState, TaskState
from orchard.models.usage import Usage


async def test_subscription_gets_only_its_task_and_ends_when_closed() -> None:
    bus = EventBus()
    subscription = bus.subscribe("t1")
    received: list[Event] = []

    async def consume() -> None:
        async for event in subscription:
            received.append(event)

    consumer = asyncio.create_task(consume())
    bus.publish(RunStateChanged("t1", "a1", RunState.EDITING))
    bus.publish(RunStateChanged("t2", "a1", RunState.EDITING))
    bus.publish(RunProgress("t1", "a1", 1, 42))
    subscription.close()
    await asyncio.wait_for(consumer, 5)
    assert received == [
        RunStateChanged("t1", "a1", RunState.EDITING),
        RunProgress("t1", "a1", 1, 42),
    ]
    bus.publish(TaskFinished("t1", TaskState.DONE))
    assert subscription.queue.empty()


def test_a_broken_listener_is_logged_and_the_others_still_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = EventBus()
    heard: list[Event] = []

    def broken(event: Event) -> None:
        raise RuntimeError("boom")

    bus.add_listener(broken)
    remove = bus.add_listener(heard.append)
    with caplog.at_level(logging.ERROR):
        bus.publish(TaskFinished("t", TaskState.DONE))
    assert heard == [TaskFinished("t", TaskState.DONE)]
    assert "failed on TaskFinished" in caplog.text
    remove()
    bus.publish(TaskFinished("t", TaskState.FAILED))
    assert len(heard) == 1


def test_budget_reports_exhaustion_once_at_the_call_that_spends_it() -> None:
    budget = Budget(max_tokens=100)
    assert not budget.charge(Usage("m", prompt_tokens=40, completion_tokens=20))
    assert budget.charge(Usage("m", prompt_tokens=30, completion_tokens=10))
    assert budget.exhausted
    assert not budget.charge(Usage("m", prompt_tokens=1))
    assert budget.describe() == "101 of 100 tokens"


def test_cost_budget_and_no_budget() -> None:
    assert Budget(max_cost_usd=0.01).charge(Usage("m", cost_usd=0.02))
    unlimited = Budget()
    unlimited.charge(Usage("m", prompt_tokens=10**9, cost_usd=10**6))
    assert not unlimited.exhausted
