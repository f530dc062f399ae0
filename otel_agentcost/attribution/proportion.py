"""A call's real input tokens, split over its messages in proportion to their size.

No tokenizer is needed: the provider reports how many input tokens the call had, and each message's share of the
request's characters (system prompt and tool definitions included) says how many of them it accounts for.
Integer division rounds each share down, so the inherited and foreign tokens never add up to more than the input.
"""

from __future__ import annotations

from typing import NamedTuple

from opentelemetry.util.types import AttributeValue

from .. import attributes as attr


class ContextShare(NamedTuple):
    """How many of a request's characters are inherited from earlier tasks and how many came from other sessions."""

    total_chars: int
    inherited_chars: int
    foreign_chars: int

    def tokens(self, input_tokens: int) -> tuple[int, int]:
        """(inherited, foreign) tokens of a call with `input_tokens` input tokens."""
        if self.total_chars <= 0 or input_tokens <= 0:
            return 0, 0
        return (
            input_tokens * self.inherited_chars // self.total_chars,
            input_tokens * self.foreign_chars // self.total_chars,
        )

    def token_attributes(self, input_tokens: int | None) -> dict[str, AttributeValue]:
        """The span attributes for the call's input, once the provider has reported it (nothing before)."""
        if input_tokens is None:
            return {}
        inherited, foreign = self.tokens(input_tokens)
        return {attr.CONTEXT_INHERITED_TOKENS: inherited, attr.CONTEXT_FOREIGN_TOKENS: foreign}
