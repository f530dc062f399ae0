"""Input tokens are split over messages in proportion to their characters, rounded down."""

from __future__ import annotations

from otel_agentcost import attributes as attr
from otel_agentcost.attribution.proportion import ContextShare


def test_tokens_follow_the_share_of_characters():
    share = ContextShare(total_chars=1000, inherited_chars=600, foreign_chars=150)
    assert share.tokens(2000) == (1200, 300)


def test_shares_round_down_and_never_exceed_the_input():
    share = ContextShare(total_chars=3, inherited_chars=1, foreign_chars=2)
    inherited, foreign = share.tokens(10)
    assert (inherited, foreign) == (3, 6)
    assert inherited + foreign <= 10


def test_nothing_to_split_gives_zero_and_an_unknown_input_gives_no_attributes():
    assert ContextShare(0, 0, 0).tokens(500) == (0, 0)
    assert ContextShare(100, 50, 0).tokens(0) == (0, 0)
    assert ContextShare(100, 50, 0).token_attributes(None) == {}
    assert ContextShare(100, 50, 0).token_attributes(40) == {
        attr.CONTEXT_INHERITED_TOKENS: 20,
        attr.CONTEXT_FOREIGN_TOKENS: 0,
    }
