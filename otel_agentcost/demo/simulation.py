"""Runs a fleet into a store: real tracing, real instrumentation, real SDK calls, simulated time.

The tracer provider is the demo's own, with `SimulatedTimes` as its first processor (before the batch processor
that `agentcost.init()` adds), and `agentcost.init()` completes it exactly as it would for a user's agent: the
attribution processor, the client instrumentation, and the in-process ClickHouse exporter, here wrapped so that
spans are stored at their simulated times.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

import otel_agentcost as agentcost
from otel_agentcost.demo.agent import Gateway, SimulatedAgent
from otel_agentcost.demo.backends import Backends, require_sdks
from otel_agentcost.demo.plan import Fleet
from otel_agentcost.demo.scheduler import Actor, run_actors
from otel_agentcost.demo.timeshift import SimulatedTimeExporter, SimulatedTimes
from otel_agentcost.store import Store, StoreError
from otel_agentcost.store.exporter import ClickHouseSpanExporter

SERVICE_NAME = "agentcost-demo"
WORKERS = 4  # the most sessions that make calls at the same simulated instant, at once
_PROVIDER_ENV = "AGENTCOST_PROVIDER_NAME"


class TracingTakenError(RuntimeError):
    """The process already has a tracer provider, so the demo cannot install the one that shifts time."""


@dataclass(frozen=True)
class Simulation:
    calls: int
    instants: int  # the distinct simulated times at which actors ran
    seconds: float  # how long the run really took


def simulate(fleet: Fleet, store: Store) -> Simulation:
    """Runs every session of `fleet` and stores its spans in `store` (left open: the caller's to close); raises
    StoreError if any span was not stored. Sets up tracing for the process, once: a process runs one simulation.
    """
    require_sdks()
    times = SimulatedTimes()
    _install_tracer_provider(times)
    exporter = SimulatedTimeExporter(ClickHouseSpanExporter(store), times)
    agentcost.init(exporter=exporter)
    backends, gateway = Backends(), Gateway()
    actors = [Actor(plan.session_id, SimulatedAgent(plan, backends, gateway).script()) for plan in fleet.sessions]
    began = time.perf_counter()
    try:
        with _openai_provider_name(), ThreadPoolExecutor(WORKERS, thread_name_prefix="demo-agent") as pool:
            instants = run_actors(actors, pool)
    finally:
        backends.close()
        agentcost.shutdown()  # flushes the batch processor
    if exporter.failed_spans:
        raise StoreError(f"{exporter.failed_spans} span(s) could not be stored in {store.url}; the log above says why")
    return Simulation(calls=len(fleet.calls), instants=instants, seconds=time.perf_counter() - began)


def _install_tracer_provider(times: SimulatedTimes) -> None:
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        raise TracingTakenError(
            "this process already has an OpenTelemetry tracer provider (is it running under "
            "opentelemetry-instrument?); the demo sets up its own: run `otel-agentcost demo` as a process of its own"
        )
    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
    provider.add_span_processor(times)
    trace.set_tracer_provider(provider)


@contextmanager
def _openai_provider_name() -> Iterator[None]:
    """The stand-in imitates OpenAI on 127.0.0.1, a host that would otherwise name the provider `127.0.0.1`."""
    previous = os.environ.get(_PROVIDER_ENV)
    os.environ[_PROVIDER_ENV] = "openai"
    try:
        yield
    finally:
        if previous is None:
            del os.environ[_PROVIDER_ENV]
        else:
            os.environ[_PROVIDER_ENV] = previous
