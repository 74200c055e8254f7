"""Reading back what was produced, with kafka-python, for assertions."""

from __future__ import annotations

import time

from kafka import KafkaConsumer


def consume_all(bootstrap: str, topic: str, expected: int, timeout_s: float = 30) -> list:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=1000,
    )
    records: list = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(records) < expected and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records
