"""Batches stay open while every forward pass is busy, on a real Faust agent and its stream's
own ``take_events`` (the agent's test context: the cut is Faust's and ours, no broker involved).
"""

import asyncio
from collections.abc import Awaitable, Callable

import faust
from faust.types import AgentT
from newsmon.worker.batching import grow_batches_while_busy

WITHIN = 0.05


class Passes:
    busy = True


Scenario = Callable[[AgentT, Passes, list[list[int]]], Awaitable[None]]


def run_scenario(scenario: Scenario, max_: int = 16) -> None:
    """``scenario`` puts records to an agent that takes them in batches, and checks ``batches``."""
    app = faust.App("newsmon-test-batching", store="memory://")
    passes = Passes()
    batches: list[list[int]] = []

    @app.agent()
    async def take(stream: faust.StreamT) -> None:
        grow_batches_while_busy(stream, lambda: passes.busy)
        async for events in stream.take_events(max_, within=WITHIN):
            batches.append([event.value for event in events])

    async def main() -> None:
        async with take.test_context() as agent:
            await scenario(agent, passes, batches)

    asyncio.run(main())


async def wait_for(predicate: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_a_batch_grows_while_every_pass_is_busy_and_is_cut_when_one_is_free() -> None:
    async def scenario(agent: AgentT, passes: Passes, batches: list) -> None:
        for value in range(3):
            await agent.put(value)
        await asyncio.sleep(6 * WITHIN)  # well past the wait: still open
        assert batches == []
        await agent.put(3)  # arrives while it waits: joins it
        passes.busy = False
        await wait_for(lambda: bool(batches))
        assert batches == [[0, 1, 2, 3]]

    run_scenario(scenario)


def test_a_full_batch_is_cut_while_every_pass_is_busy() -> None:
    async def scenario(agent: AgentT, passes: Passes, batches: list) -> None:
        for value in range(6):
            await agent.put(value)
        await wait_for(lambda: bool(batches))
        assert batches[0] == [0, 1, 2, 3]

    run_scenario(scenario, max_=4)


def test_with_a_pass_free_a_batch_is_cut_after_the_wait_as_before() -> None:
    async def scenario(agent: AgentT, passes: Passes, batches: list) -> None:
        passes.busy = False
        await agent.put(7)
        await wait_for(lambda: bool(batches), seconds=1.0)
        assert batches == [[7]]

    run_scenario(scenario)
