"""Prometheus metrics of one server process, in a registry of its own (served at
/metrics): requests by protocol, method and status with their latency, audio and
inference time, queue depth, open streams, worker and decoder restarts, model load time."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from parley.domain.transcript import Transcript

_LATENCY_BUCKETS = (0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800)
_RTF_BUCKETS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "parley_requests", "Requests answered", ["protocol", "method", "status"], registry=r
        )
        self.latency = Histogram(
            "parley_request_seconds",
            "Time to answer a request (a stream: its whole life)",
            ["protocol", "method"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.audio = Counter(
            "parley_audio_seconds", "Seconds of audio recognized", ["kind"], registry=r
        )
        self.inference = Counter(
            "parley_inference_seconds", "Seconds spent in the engines", ["kind"], registry=r
        )
        self.rtf = Histogram(
            "parley_real_time_factor",
            "Inference seconds per audio second, per recognition",
            ["kind"],
            buckets=_RTF_BUCKETS,
            registry=r,
        )
        self.model_load = Gauge(
            "parley_model_load_seconds",
            "Time to load the default model in every worker",
            registry=r,
        )

    def gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        """A value read when scraped (queue depth, open streams, restarts...)."""
        Gauge(name, help_text, registry=self.registry).set_function(read)

    def gauges(
        self, name: str, help_text: str, label: str, read: Callable[[], dict[str, float]]
    ) -> None:
        """Values by label read when scraped (the cluster's queues, jobs by state...)."""
        self.registry.register(_Readings(name, help_text, label, read))

    def recognized(self, kind: str, transcript: Transcript) -> None:
        self.audio.labels(kind).inc(transcript.duration)
        self.inference.labels(kind).inc(transcript.inference_seconds)
        if transcript.duration > 0:
            self.rtf.labels(kind).observe(transcript.inference_seconds / transcript.duration)

    def request(self, protocol: str, method: str, status: str, seconds: float) -> None:
        self.requests.labels(protocol, method, status).inc()
        self.latency.labels(protocol, method).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _Readings(Collector):
    def __init__(
        self, name: str, help_text: str, label: str, read: Callable[[], dict[str, float]]
    ) -> None:
        self._name, self._help, self._label, self._read = name, help_text, label, read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(self._name, self._help, labels=[self._label])
        for value, reading in sorted(self._read().items()):
            family.add_metric([value], reading)
        yield family
