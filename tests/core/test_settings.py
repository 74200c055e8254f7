import pytest
from newsmon.core.kafka_clients import faust_app_kwargs, producer_kwargs
from newsmon.core.settings import BrokerProfile, Settings
from pydantic import ValidationError


def test_plain_kafka_and_redis_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    monkeypatch.setenv("NEWSMON_TOPIC_PARTITIONS", "8")
    settings = Settings()
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.redis_url == "redis://redis:6379/0"
    assert settings.topic_partitions == 8
    assert not settings.embedded
    assert settings.effective_broker_profile is BrokerProfile.KAFKA


def test_nothing_configured_means_embedded_with_the_local_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = Settings()
    assert settings.embedded
    assert settings.effective_broker_profile is BrokerProfile.LOCAL


def test_settings_are_frozen_and_validated() -> None:
    settings = Settings(kafka_bootstrap_servers="k:1", redis_url="redis://r")
    with pytest.raises(ValidationError):
        settings.topic_partitions = 2  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Settings(topic_partitions=0)


def test_local_profile_adapts_clients_to_tansu_and_kafka_keeps_idempotence() -> None:
    local = Settings(kafka_bootstrap_servers="127.0.0.1:1", broker_profile="local")
    kafka = Settings(kafka_bootstrap_servers="a:9092,b:9092", broker_profile="kafka")
    assert producer_kwargs(local)["enable_idempotence"] is False
    assert producer_kwargs(kafka)["enable_idempotence"] is True
    assert producer_kwargs(kafka)["acks"] == "all"
    assert producer_kwargs(kafka)["bootstrap_servers"] == ["a:9092", "b:9092"]
    faust_local = faust_app_kwargs(local)
    assert faust_local["broker_session_timeout"] == 6
    assert faust_local["broker_heartbeat_interval"] == 1
    assert faust_local["producer_max_batch_size"] == 1
    assert "producer_max_batch_size" not in faust_app_kwargs(kafka)
    assert faust_app_kwargs(kafka)["broker"] == ["kafka://a:9092", "kafka://b:9092"]


def test_sasl_settings_reach_the_producer() -> None:
    settings = Settings(
        kafka_bootstrap_servers="k:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="u",
        kafka_sasl_password="p",
    )
    kwargs = producer_kwargs(settings)
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kwargs["sasl_plain_username"] == "u"
    assert "broker_credentials" in faust_app_kwargs(settings)
