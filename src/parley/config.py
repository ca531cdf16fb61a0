"""All settings in one tree, read once in an entry point and passed down.

Every field can be set from the environment as PARLEY_<NAME> (e.g. PARLEY_DATA_DIR).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from parley.domain.streaming import StreamLimits
from parley.engines.device import Device
from parley.engines.registry import EngineSettings
from parley.services.fetch import FetchRules

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "parley"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "parley"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    model_cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="models assembled from their packages, shared by every data dir",
    )
    database_url: str | None = Field(
        default=None, description="any SQLAlchemy URL; default: SQLite in data_dir"
    )
    audio_store_dir: Path | None = Field(
        default=None,
        description="where kept audio lives (a folder every server mounts); default: in data_dir",
    )
    device: Device = "auto"
    compute_type: str = Field(default="auto", description="CTranslate2 type; auto: int8/float16")
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    cpu_threads: int = Field(default=1, ge=1, description="threads per inference worker")
    default_model: str = "whisper-base"
    default_voice: str = "en_US-joe-medium"
    max_memory_mb: int | None = Field(
        default=4096, description="/healthz is unhealthy while the server process uses more"
    )
    decoder_memory_mb: int = Field(
        default=8192, ge=256, description="address space of each audio decoder process"
    )
    window_seconds: float = Field(
        default=60.0,
        ge=30.0,
        description="long audio is decoded in windows this long at most, cut in pauses",
    )
    model_idle_seconds: float | None = Field(default=900.0, description="unload after idle")
    profanity_words: Path | None = Field(default=None, description="extra words to mask")
    host: str = "127.0.0.1"
    allowed_hosts: list[str] | None = Field(
        default=None,
        description="Host header names served (*.x ok); default: loopback names on a "
        "loopback address, any name otherwise",
    )
    allowed_origins: list[str] = Field(
        default_factory=list, description="web page origins (scheme://host:port) that may call"
    )
    tls_cert: Path | None = Field(default=None, description="PEM certificate (chain): TLS")
    tls_key: Path | None = Field(default=None, description="PEM private key of tls_cert")
    require_keys: bool = Field(
        default=False, description="API keys required (always, off loopback addresses)"
    )
    public_docs_and_metrics: bool = Field(
        default=False, description="/docs and /metrics without a key when keys are required"
    )
    insecure_no_keys: bool = Field(
        default=False, description="serve a non-loopback address without API keys"
    )
    http_port: int = Field(default=8080, ge=0, le=65535)
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    broker_url: str | None = Field(
        default=None,
        description="Celery broker (redis:// or amqp://): inference runs on `parley worker`s",
    )
    wyoming_port: int | None = Field(
        default=None, ge=0, le=65535, description="Wyoming (Home Assistant) over TCP; None: off"
    )
    wyoming_without_keys: bool = Field(
        default=False,
        description="serve Wyoming, which has no authentication, even when keys are required",
    )
    audio_dirs: list[Path] = Field(default_factory=list, description="file:// URIs allowed here")
    audio_hosts: list[str] = Field(
        default_factory=list, description="http(s):// URIs allowed from these hosts (*.x ok)"
    )
    retention_days: float | None = Field(
        default=None, gt=0, description="records and audio older are deleted; None: kept"
    )
    housekeeping_seconds: float = Field(default=300.0, gt=0, description="tidy this often")
    stream_stale_seconds: float = Field(
        default=120.0, gt=0, description="a stream's spool untouched this long: its server died"
    )
    audio_ports: list[int] = Field(
        default_factory=lambda: [80, 443], description="ports http(s):// audio may come from"
    )
    audio_networks: list[str] = Field(
        default_factory=list,
        description="private address ranges (CIDR) http(s):// audio may come from",
    )
    max_fetch_bytes: int = Field(default=1 << 30, description="largest audio fetched by URI")
    fetch_timeout_seconds: float = Field(default=60.0, description="for a whole download")
    job_lease_seconds: float = Field(
        default=15.0, gt=0, description="a dead server's jobs wait this"
    )
    job_poll_seconds: float = Field(default=1.0, gt=0)
    job_tasks_per_key: int = Field(
        default=4, ge=1, description="with a broker: one key's job tasks on the way at once"
    )
    job_tasks_per_job: int = Field(
        default=2, ge=1, description="with a broker: one job's windows on the way at once"
    )
    job_stall_seconds: float = Field(
        default=300.0, gt=0, description="with a broker: a job unmoved this long is re-sent"
    )
    body_timeout_seconds: float = Field(
        default=60.0, gt=0, description="a request body must arrive within this"
    )
    stream_capacity: int | None = Field(
        default=None, ge=1, description="live streams at once; default: 2 per worker"
    )
    stream_max_chunk_bytes: int = Field(default=256 * 1024, ge=1024)
    stream_max_seconds: float | None = Field(default=None, gt=0, description="None: no limit")
    stream_idle_seconds: float | None = Field(
        default=20.0, gt=0, description="end a stream whose audio is this far behind the clock"
    )
    stream_max_wall_seconds: float | None = Field(
        default=None, gt=0, description="end a stream open this long; None: no limit"
    )

    @property
    def keys_required(self) -> bool:
        return self.require_keys or (not is_loopback(self.host) and not self.insecure_no_keys)

    @property
    def served_hosts(self) -> list[str]:
        if self.allowed_hosts is not None:
            return self.allowed_hosts
        return list(LOOPBACK_NAMES) if is_loopback(self.host) else ["*"]

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'parley.db'}"

    @property
    def audio_dir(self) -> Path:
        return self.audio_store_dir or self.data_dir / "audio"

    def stream_limits(self) -> StreamLimits:
        return StreamLimits(
            capacity=self.stream_capacity or 2 * self.workers,
            max_chunk_bytes=self.stream_max_chunk_bytes,
            max_seconds=self.stream_max_seconds,
            idle_seconds=self.stream_idle_seconds,
            max_wall_seconds=self.stream_max_wall_seconds,
        )

    def fetch_rules(self) -> FetchRules:
        return FetchRules(
            max_bytes=self.max_fetch_bytes,
            seconds=self.fetch_timeout_seconds,
            ports=frozenset(self.audio_ports),
            networks=tuple(ipaddress.ip_network(n, strict=False) for n in self.audio_networks),
        )

    def engine_settings(self) -> EngineSettings:
        return EngineSettings(
            cache_dir=self.model_cache_dir,
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=self.cpu_threads,
        )
