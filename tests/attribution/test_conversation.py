"""A session's records: what changed since the previous request, and the characters each owner holds."""

from __future__ import annotations

from otel_agentcost.attribution.conversation import Conversation, read_message
from otel_agentcost.attribution.messages import shapes_of


def conversation_of(messages, owners):
    conversation = Conversation()
    for index, (message, shape, owner) in enumerate(zip(messages, shapes_of(messages), owners, strict=True)):
        conversation.append(read_message(index, message, shape, "", standing=False, command=False), owner)
    return conversation


def prefix(conversation, messages, opening=1):
    return conversation.common_prefix(messages, shapes_of(messages), opening)


SYSTEM = {"role": "system", "content": "You are an agent."}
FIRST = [SYSTEM, {"role": "user", "content": "hello there"}, {"role": "assistant", "content": "hi, what now?"}]


def test_a_request_that_extends_the_previous_one_keeps_all_of_it():
    conversation = conversation_of(FIRST, ["s", "t1", "t1"])
    assert prefix(conversation, [*FIRST, {"role": "user", "content": "next"}]) == 3


def test_a_message_changed_in_place_ends_the_unchanged_part():
    conversation = conversation_of(FIRST, ["s", "t1", "t1"])
    pruned = [SYSTEM, FIRST[1], {"role": "assistant", "content": "[pruned]"}]
    assert prefix(conversation, pruned) == 2


def test_a_reset_to_messages_of_the_same_lengths_is_not_taken_for_the_old_conversation():
    conversation = conversation_of(FIRST, ["s", "t1", "t1"])
    same_lengths = [
        SYSTEM,
        {"role": "user", "content": "HELLO THERE"},
        {"role": "assistant", "content": "HI, WHAT NOW?"},
    ]
    assert prefix(conversation, same_lengths) == 0


def test_truncating_gives_back_each_owners_characters_and_forgets_owners_left_with_none():
    conversation = conversation_of(FIRST, ["s", "t1", "t2"])
    assert conversation.chars_by_owner == {"s": 17, "t1": 11, "t2": 13}
    conversation.truncate(2)
    assert conversation.chars_by_owner == {"s": 17, "t1": 11}
    assert len(conversation) == 2
