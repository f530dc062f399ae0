"""POST /v1/embeddings as the real openai SDK sees it: small vectors that depend only on the input."""

from __future__ import annotations

from otel_agentcost.standin import Reply, estimate_tokens


def test_each_input_gets_a_vector_that_depends_only_on_it(llm, openai_client):
    first = openai_client.embeddings.create(model="text-embedding-3-small", input=["heartbeat", "triage"])
    second = openai_client.embeddings.create(model="text-embedding-3-small", input=["triage"])

    vectors = [item.embedding for item in first.data]
    assert [item.index for item in first.data] == [0, 1]
    assert vectors[1] == second.data[0].embedding
    assert vectors[0] != vectors[1]
    assert all(len(vector) == 8 and all(-1 <= value < 1 for value in vector) for vector in vectors)
    assert first.model == "text-embedding-3-small"


def test_base64_and_float_encodings_decode_to_the_same_vector(llm, openai_client):
    """The SDK asks for base64 unless told otherwise, and decodes it itself."""
    decoded = openai_client.embeddings.create(model="e", input="same text").data[0].embedding
    floats = openai_client.embeddings.create(model="e", input="same text", encoding_format="float").data[0].embedding

    assert llm.requests[0].body["encoding_format"] == "base64"
    assert decoded == floats


def test_requested_dimensions_are_honoured(llm, openai_client):
    response = openai_client.embeddings.create(model="e", input="x", dimensions=32, encoding_format="float")

    assert len(response.data[0].embedding) == 32


def test_usage_is_scripted_or_estimated_from_the_input(llm, openai_client):
    llm.enqueue(Reply(input_tokens=77, cost_usd=0.0001))

    scripted = openai_client.embeddings.create(model="e", input=["a", "b"]).usage
    estimated = openai_client.embeddings.create(model="e", input=["a", "b"]).usage

    assert (scripted.prompt_tokens, scripted.total_tokens, scripted.cost) == (77, 77, 0.0001)
    assert estimated.prompt_tokens == estimate_tokens(["a", "b"])


def test_a_token_list_is_one_input(llm, openai_client):
    response = openai_client.embeddings.create(model="e", input=[101, 102, 103], encoding_format="float")

    assert len(response.data) == 1
