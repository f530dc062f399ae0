"""A small agent with no tracing code at all: the test runs it under `opentelemetry-instrument`."""

import os

import anthropic
import openai

oai = openai.OpenAI(base_url=os.environ["STANDIN_OPENAI_URL"], api_key="sk-zero-code")
claude = anthropic.Anthropic(base_url=os.environ["STANDIN_ANTHROPIC_URL"], api_key="zero-code")

oai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "triage the inbox"}])
for _ in oai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "go"}], stream=True):
    pass
claude.messages.create(model="claude-haiku-4-5", max_tokens=32, messages=[{"role": "user", "content": "hb"}])
