"""The local profile's Faust transport: a short fetch wait, because tansu does not long-poll."""

import asyncio
import inspect

import faust
from aiokafka import AIOKafkaConsumer
from newsmon.worker.local_broker import (
    LocalBrokerTransport,
    ShortWaitConsumer,
    ShortWaitConsumerThread,
    use_local_broker_transport,
)


def test_the_local_profile_swaps_in_the_short_wait_transport() -> None:
    app = faust.App("newsmon-test-transport", broker="kafka://127.0.0.1:9")
    use_local_broker_transport(app)
    assert isinstance(app.transport, LocalBrokerTransport)
    assert app.transport.Consumer is ShortWaitConsumer
    assert issubclass(ShortWaitConsumerThread, faust.transport.drivers.aiokafka.ConsumerThread)


def test_aiokafka_still_hands_the_attribute_we_set_to_its_fetcher() -> None:
    """The transport sets a private attribute; an aiokafka release that renames it fails here,
    not silently in production."""

    async def constructed_wait() -> int:
        consumer = AIOKafkaConsumer(bootstrap_servers="127.0.0.1:9", fetch_max_wait_ms=1500)
        return consumer._fetch_max_wait_ms

    assert asyncio.run(constructed_wait()) == 1500
    assert "fetch_max_wait_ms=self._fetch_max_wait_ms" in inspect.getsource(AIOKafkaConsumer.start)
