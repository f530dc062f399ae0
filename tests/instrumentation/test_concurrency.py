"""Fifteen sessions in parallel, as asyncio tasks and as threads, each calling the real SDK: every span carries
its own session's id. Each session asks for a model named after itself, so a span says which session sent it."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor

import otel_agentcost as agentcost
from tests.instrumentation.conftest import llm_spans

SESSIONS = [f"s-{n:02d}" for n in range(15)]
MESSAGES = [{"role": "user", "content": "status?"}]


def sessions_by_model(spans):
    return {(s.attributes["gen_ai.request.model"], s.attributes["agentcost.session.id"]) for s in llm_spans(spans)}


def test_parallel_asyncio_sessions(spans, llm, aoai):
    async def agent(sid):
        async with agentcost.session(sid):
            for _ in range(3):
                await aoai.chat.completions.create(model=f"model-{sid}", messages=MESSAGES)

    async def fleet():
        await asyncio.gather(*(agent(sid) for sid in SESSIONS))

    asyncio.run(fleet())

    assert len(llm_spans(spans)) == 45
    assert sessions_by_model(spans) == {(f"model-{sid}", sid) for sid in SESSIONS}


def test_parallel_thread_sessions(spans, llm, oai):
    def agent(sid):
        with agentcost.session(sid):
            for _ in range(3):
                # A worker of the agent's own copies the context, as asyncio.to_thread does.
                contextvars.copy_context().run(oai.chat.completions.create, model=f"model-{sid}", messages=MESSAGES)

    with ThreadPoolExecutor(max_workers=15) as pool:
        list(pool.map(agent, SESSIONS))

    assert len(llm_spans(spans)) == 45
    assert sessions_by_model(spans) == {(f"model-{sid}", sid) for sid in SESSIONS}
