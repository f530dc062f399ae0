"""Scripted agents with no tracing code at all, run under `opentelemetry-instrument` by test_attribution.py.

`ops`: one gateway session (`x-session-key` on the client) that works on a task over two calls, runs an isolated
heartbeat, resets its conversation for a second task, runs a heartbeat on top of it, then types `/new` keeping the
history for a third task, and finally runs a heartbeat through the Anthropic SDK.
`mail`: another process whose main session received two of the ops session's messages (bleed across processes), a
side session that shares a message with it (bleed inside the process), and an unrelated session with the same
system and heartbeat prompts as ops.

The test scripts the replies (their texts are REPLIES) and reads the spans from the store.
"""

from __future__ import annotations

import os
import sys

import anthropic
import openai

OPS, MAIL, SIDE, NOTES = "agent:ops:main", "agent:mail:main", "agent:mail:side", "agent:notes:main"
MODEL, CLAUDE = "gpt-4o-mini", "claude-haiku-4-5"

SYSTEM = (
    "You are the operations agent of the Acme team.\n## Heartbeats\nWhen a heartbeat poll arrives, read HEARTBEAT.md "
    "and reply HEARTBEAT_OK if nothing needs attention."
)
MAIL_SYSTEM = "You are the mail agent of the Acme team: triage, draft, file."
HEARTBEAT = "# Heartbeat Checks\n- inbox\n- calendar\n- failed deploys"
PROMPTS = {
    "t1": "Triage the deploy failures from last night and tell me which services are affected and why.",
    "t1b": "Now open a ticket for each affected service with the error and the last good version.",
    "t2": "Review the pull request that changes the billing retry policy and list the risks you see.",
    "t2b": "Check whether the retry change is covered by the integration tests and by the runbook.",
    "t3": "/new Plan the release checklist for version 2.0 and name an owner for every step of it.",
    "t3b": "Add the rollback plan and the customer announcement to the checklist, with their dates.",
    "mail": "Reply to the customer asking about the billing retries, using what you know about the change.",
    "side": "Summarise for the finance team what the billing retry change means for failed payments.",
    "notes": "Write today's engineering notes: what shipped, what is blocked, who is on call tomorrow.",
    "notes2": "Add the incident from last night to the notes, with a link to the postmortem document.",
}
REPLIES = {
    "t1": "Three services failed: checkout (database migration timeout), search (OOM) and mail (bad config).",
    "t1b": "Opened CHK-101, SRCH-77 and MAIL-12, each with the stack trace and the last good version noted.",
    "t2": "Risks: retries may double-charge on timeouts, the backoff cap is too high, and alerts are missing.",
    "t2b": "Integration tests cover the happy path only; the runbook does not mention the new retry policy yet.",
    "t3": "Checklist drafted: freeze (Ana), changelog (Ben), staging soak (Caro), go/no-go (Dev), ship (Ana).",
    "t3b": "Added rollback (Ben, same day) and the customer announcement (Caro, two days before the release).",
    "mail": "Drafted a reply explaining the new retry schedule and that no payment is charged twice by it.",
    "side": "Failed payments will be retried three times over two days before the invoice is marked unpaid.",
    "notes": "Shipped the search fix; blocked on the billing review; Dev is on call tomorrow for the team.",
    "notes2": "Added the incident summary and the postmortem link under the Incidents heading of the notes.",
    "heartbeat": "HEARTBEAT_OK",
}


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def gateway(session: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=os.environ["STANDIN_OPENAI_URL"], api_key="sk-zero-code", default_headers={"x-session-key": session}
    )


def ask(client: openai.OpenAI, messages: list[dict[str, str]]) -> dict[str, str]:
    """Sends the conversation; returns the reply as the agent keeps it."""
    reply = client.chat.completions.create(model=MODEL, messages=messages)
    return assistant(reply.choices[0].message.content or "")


def ops() -> None:
    client = gateway(OPS)
    system = {"role": "system", "content": SYSTEM}
    conversation = [system, user(PROMPTS["t1"])]
    conversation += [ask(client, conversation), user(PROMPTS["t1b"])]
    ask(client, conversation)
    ask(client, [system, user(HEARTBEAT)])  # an isolated heartbeat

    conversation = [system, user(PROMPTS["t2"])]  # the agent starts over
    conversation += [ask(client, conversation), user(PROMPTS["t2b"])]
    conversation.append(ask(client, conversation))
    ask(client, [*conversation, user(HEARTBEAT)])  # a heartbeat on top of the conversation

    conversation.append(user(PROMPTS["t3"]))  # `/new`, keeping the history
    conversation += [ask(client, conversation), user(PROMPTS["t3b"])]
    ask(client, conversation)

    claude = anthropic.Anthropic(
        base_url=os.environ["STANDIN_ANTHROPIC_URL"], api_key="zero-code", default_headers={"x-session-key": OPS}
    )
    claude.messages.create(model=CLAUDE, max_tokens=32, system=SYSTEM, messages=[user(HEARTBEAT)])


def mail() -> None:
    system = {"role": "system", "content": MAIL_SYSTEM}
    # Two of the ops session's messages bled into the mail session.
    bled = [user(PROMPTS["t2"]), assistant(REPLIES["t2"])]
    ask(gateway(MAIL), [system, *bled, user(PROMPTS["mail"])])
    ask(gateway(SIDE), [system, user(PROMPTS["mail"]), assistant(REPLIES["mail"]), user(PROMPTS["side"])])

    notes, standing = gateway(NOTES), {"role": "system", "content": SYSTEM}
    ask(notes, [standing, user(HEARTBEAT)])
    conversation = [standing, user(PROMPTS["notes"])]
    conversation += [ask(notes, conversation), user(PROMPTS["notes2"])]
    ask(notes, conversation)


if __name__ == "__main__":
    {"ops": ops, "mail": mail}[sys.argv[1]]()
