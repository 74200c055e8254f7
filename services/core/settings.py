"""Every setting newsmon reads, in one frozen class.

No other module reads ``os.environ``: processes build a :class:`Settings` once and pass it
(or the values they need) down. Variables carry the ``NEWSMON_`` prefix, except the two that
every Kafka and Redis tool already knows by name, ``KAFKA_BOOTSTRAP_SERVERS`` and ``REDIS_URL``.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BrokerProfile(StrEnum):
    """Client settings that suit a broker.

    ``local`` is for the embedded ``tansu`` broker: short session timeouts (a group join takes
    half the session timeout), no idempotent producer (tansu fails InitProducerId) and
    one-record producer batches (tansu answers ListOffsets(LATEST) wrongly for multi-record
    batches, which breaks Faust table recovery). ``kafka`` keeps the clients' normal defaults.
    """

    LOCAL = "local"
    KAFKA = "kafka"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSMON_", frozen=True, extra="ignore")

    kafka_bootstrap_servers: str = Field(
        default="",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "NEWSMON_KAFKA_BOOTSTRAP_SERVERS"),
        description="host:port[,host:port]; empty means `newsmon demo` starts a local broker",
    )
    redis_url: str = Field(
        default="",
        validation_alias=AliasChoices("REDIS_URL", "NEWSMON_REDIS_URL"),
        description="redis:// or rediss:// URL; empty means `newsmon demo` starts a local server",
    )
    broker_profile: BrokerProfile | None = Field(
        default=None, description="local or kafka; default: local when the broker is embedded"
    )
    kafka_security_protocol: str = Field(
        default="PLAINTEXT", description="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"
    )
    kafka_sasl_mechanism: str = Field(default="", description="e.g. PLAIN or SCRAM-SHA-512")
    kafka_sasl_username: str = Field(default="", description="SASL user name")
    kafka_sasl_password: str = Field(default="", description="SASL password")
    topic_prefix: str = Field(default="", description="prefix for every Kafka topic name")
    topic_partitions: int = Field(default=4, ge=1, description="partitions of each topic")
    topic_replication: int = Field(default=1, ge=1, description="replication factor of topics")
    app_id: str = Field(default="newsmon", description="Faust app id (consumer group)")

    article_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60, description="article TTL")
    enriched_stream_maxlen: int = Field(default=10_000, ge=100, description="enriched stream cap")
    redis_key_prefix: str = Field(default="newsmon", description="prefix of every Redis key")
    max_article_bytes: int = Field(default=1024 * 1024, ge=1024, description="largest article")

    model_name: str = Field(
        default="", description="HF model name or path of the encoder; empty: bundled MiniLM"
    )
    model_adapter: str = Field(
        default="",
        description="low-rank adapter (.npz, newsmon finetune --lora-rank) merged into the "
        "encoder at load; empty: the adapter.npz in the heads' folder, if any; none: no adapter",
    )
    heads_dir: str = Field(
        default="",
        description="the coder's heads (newsmon train --out); empty: those in the package, "
        "trained on the bundled encoder",
    )
    zero_shot_model: str = Field(
        default="", description="HF NLI model for event types instead of the trained head"
    )
    model_bf16: bool | Literal["auto"] = Field(
        default="auto",
        description="bfloat16 autocast for the encoder; auto: on where the CPU has native bf16",
    )
    model_trace: bool = Field(
        default=True,
        description="run the torch forward pass as a TorchScript trace (the GIL only at its ends)",
    )
    encoder_backend: Literal["auto", "torch", "onnx"] = Field(
        default="auto",
        description="forward pass on torch or ONNX Runtime; auto: ONNX unless bf16 is on",
    )
    model_cache_dir: str = Field(
        default="", description="exported ONNX graphs; empty: $XDG_CACHE_HOME/newsmon or ~/.cache"
    )
    model_batch_size: int = Field(
        default=0, ge=0, description="sentences per forward pass; 0: 32 with native bf16, else 8"
    )
    model_batch_tokens: int = Field(
        default=1024, ge=0, description="padded tokens per forward pass at most; 0: no budget"
    )
    model_max_tokens: int = Field(default=128, ge=16, description="tokens kept per sentence")
    worker_concurrency: int = Field(
        default=0,
        ge=0,
        le=8,
        description="forward passes in flight per worker; 0: two where there are two cores or more",
    )
    coder_processes: bool = Field(
        default=True,
        description="code in one process per forward pass (its own model and GIL); false: "
        "threads of the worker, one model in memory",
    )
    take_batch: int = Field(default=16, ge=1, description="articles per worker batch")
    take_within_seconds: float = Field(
        default=0.5,
        gt=0,
        description="wait to fill a batch: longer fills bigger, better sorted forward passes",
    )
    grow_batches: bool = Field(
        default=False,
        description="keep a batch open past the wait while every forward pass is busy "
        "(off: no gain beyond the runs' spread yet)",
    )
    stall_exit_seconds: float = Field(
        default=120.0, ge=0, description="exit 75 when input waits this long for an idle agent"
    )
    skip_guard: bool = Field(
        default=True,
        description="exit 75 when a stream hands a record past offsets it never handed over, "
        "and commit only from an offset handled; "
        "off for input topics whose offsets have gaps by design (transactions, compaction)",
    )
    torch_threads: int = Field(
        default=0, ge=0, description="encoder threads (torch, ONNX Runtime); 0: one per core"
    )

    worker_metrics_host: str = Field(default="127.0.0.1", description="worker /metrics bind")
    worker_metrics_port: int = Field(default=9101, ge=0, description="worker /metrics port")
    api_host: str = Field(default="127.0.0.1", description="API bind address")
    api_port: int = Field(default=8000, ge=0, description="API port")
    push_rate_limit: int = Field(
        default=120, ge=0, description="POST /articles requests per client per minute; 0: off"
    )
    push_requires_key: bool = Field(
        default=False, description="POST /articles needs an API key (else it is public)"
    )
    admin_api_key: str = Field(
        default="", description="admin key that can issue API keys; empty: no admin endpoints"
    )
    webhook_allow_http: bool = Field(default=False, description="allow http:// webhooks (dev)")
    webhook_allow_private: bool = Field(
        default=False, description="allow webhooks to loopback/private addresses (dev, tests)"
    )
    webhook_max_attempts: int = Field(default=6, ge=1, description="tries before dead letter")
    webhook_backoff_seconds: float = Field(default=1.0, gt=0, description="first retry delay")
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, description="per request")
    deliver_concurrency: int = Field(default=8, ge=1, description="webhook requests in flight")
    deliver_metrics_host: str = Field(default="127.0.0.1", description="deliver /metrics bind")
    deliver_metrics_port: int = Field(default=9102, ge=0, description="deliver /metrics port")
    data_dir: Path = Field(default=Path(".newsmon-data"), description="embedded servers' data")
    log_level: str = Field(default="info", description="debug, info, warning, error")

    @property
    def embedded(self) -> bool:
        return not self.kafka_bootstrap_servers and not self.redis_url

    @property
    def effective_broker_profile(self) -> BrokerProfile:
        if self.broker_profile is not None:
            return self.broker_profile
        return BrokerProfile.KAFKA if self.kafka_bootstrap_servers else BrokerProfile.LOCAL

    @property
    def effective_worker_concurrency(self) -> int:
        """``worker_concurrency``, where 0 means two passes on two cores or more: there two
        single-threaded passes sustained 8/s in three of three benchmark runs (two
        machines) where one pass over both cores sustained 6.5-7/s. More than two is unmeasured."""
        return self.worker_concurrency or min(2, os.cpu_count() or 1)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
