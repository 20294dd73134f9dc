"""The serving containers' formats: each builder's bytes against a published
example of that container's output, and the splitter.

The examples are copied from public output of the real servers:

- TGI: the ``generate_stream`` curl output published in TGI deployment guides
  ("What is Deep Learning?", token ids 89554, 89950, 632), and a TGI 2.0
  write-up's stream for a Japanese prompt (20 tokens, its last event carrying
  ``generated_text``).
- vLLM 0.6 (the engine of the LMI container): the recorded responses in
  discourse/discourse's plugins/discourse-ai/spec/lib/completions/endpoints/
  vllm_spec.rb (a chat completion, and a stream with continuous usage).
- TEI 1.5: the ``/embed`` curl output published in a TEI deployment guide.
- JumpStart embeddings: the response document in griptape's
  AmazonSageMakerJumpstartEmbeddingDriver tests.
- XGBoost: aws/sagemaker-xgboost-container's serve.py, which joins the
  predictions with ``","`` (``"\n"`` and a trailing newline in batch).
- scikit-learn: aws/sagemaker-inference-toolkit's encoder, numpy's
  ``savetxt(delimiter=",", fmt="%s")``, run here where numpy is installed.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from sagemaker_stub import SageMakerRuntimeStub, StreamResult, containers
from sagemaker_stub.containers import ToolCall

#: Text Embeddings Inference 1.5's /embed for "What is Deep Learning?"
#: (BAAI/bge-large-en-v1.5), its first five values as published.
TEI_PUBLISHED = (
    b"[[0.018113142,0.00302585,-0.049911194,-0.03506436,0.0142142335,"
    b"-0.023612928,-0.01585384"
)
#: A JumpStart embedding endpoint's answer, as griptape's JumpStart driver
#: tests hold it (Python's json.dumps defaults).
JUMPSTART = b'{"embedding": [[0, 1, 0]]}'

#: The module, for calls that pass what its types refuse.
untyped: Any = containers

DEEP_LEARNING = (
    b'data:{"index":1,"token":{"id":89554,"text":" Deep","logprob":-0.9719473,'
    b'"special":false},"generated_text":null,"details":null}\n\n'
    b'data:{"index":2,"token":{"id":89950,"text":" Learning","logprob":-0.39028463,'
    b'"special":false},"generated_text":null,"details":null}\n\n'
    b'data:{"index":3,"token":{"id":632,"text":" is","logprob":-0.56862223,'
    b'"special":false},"generated_text":null,"details":null}\n\n'
)

JAPANESE_TOKENS = [
    "\n", "日本", "で", "一番", "高い", "山", "は", "なん", "です", "か", "?", "\n",
    "ベスト", "アン", "サー", "\n", "富士", "山", "です", "。",
]  # fmt: skip
JAPANESE_LAST = (
    'data:{"index":20,"token":{"id":30267,"text":"。","logprob":-0.34350586,'
    '"special":false},"generated_text":"\\n日本で一番高い山はなんですか?\\nベスト'
    'アンサー\\n富士山です。","details":null}\n\n'
).encode()

VLLM_CHAT = (
    b'{"id":"chat-c580e4a9ebaa44a0becc802ed5dc213a","object":"chat.completion",'
    b'"created":1731294404,"model":"meta-llama/Meta-Llama-3.1-70B-Instruct",'
    b'"choices":[{"index":0,"message":{"role":"assistant","content":"Random Number '
    b'Generator Produces Smallest Possible Result","tool_calls":[]},"logprobs":null,'
    b'"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":146,'
    b'"total_tokens":156,"completion_tokens":10},"prompt_logprobs":null}'
)
VLLM_CHUNK = (
    '{{"id":"chat-b183bb5829194e8891cacceabfdb5274","object":"chat.completion.chunk",'
    '"created":1731295402,"model":"meta-llama/Meta-Llama-3.1-70B-Instruct",'
    '"choices":[{choices}],"usage":{{"prompt_tokens":46,"total_tokens":{total},'
    '"completion_tokens":{done}}}}}'
)


def vllm_stream(deltas: list[str]) -> bytes:
    """The recorded stream's events, rebuilt from its deltas."""
    events = []
    choice = '{{"index":0,"delta":{delta},"logprobs":null,"finish_reason":null}}'
    events.append(
        choice.format(delta='{"role":"assistant","content":""}'),
    )
    events.extend(
        choice.format(delta=json.dumps({"content": text}, separators=(",", ":")))
        for text in deltas
    )
    events.append(
        '{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop",'
        '"stop_reason":null}'
    )
    lines = [
        VLLM_CHUNK.format(choices=event, total=46 + done, done=done)
        for done, event in enumerate(events)
    ]
    lines.append(
        VLLM_CHUNK.format(choices="", total=46 + len(deltas) + 1, done=len(deltas) + 1)
    )
    return "".join(f"data: {line}\n\n" for line in [*lines, "[DONE]"]).encode()


def test_tgi_stream_matches_tgis_own_events() -> None:
    stream = containers.tgi_stream(
        [" Deep", " Learning", " is", " a"],
        token_ids=[89554, 89950, 632, 1],
        logprobs=[-0.9719473, -0.39028463, -0.56862223, 0.0],
    )
    assert b"".join(stream.parts[:3]) == DEEP_LEARNING
    assert len(stream.parts) == 4  # one event a part
    assert stream.content_type == "text/event-stream"
    japanese = containers.tgi_stream(
        JAPANESE_TOKENS,
        token_ids=[0] * 19 + [30267],
        logprobs=[0.0] * 19 + [-0.34350586],
    )
    assert japanese.parts[-1] == JAPANESE_LAST
    last = json.loads(japanese.parts[-2][len(b"data:") :])
    assert last["generated_text"] is None


def test_tgi_generate_is_the_llm_containers_list() -> None:
    result = containers.tgi_generate("日本")
    assert result.body == '[{"generated_text":"日本"}]'.encode()
    assert result.content_type == "application/json"


def test_chat_completion_matches_vllms_response() -> None:
    result = containers.chat_completion(
        "Random Number Generator Produces Smallest Possible Result",
        model="meta-llama/Meta-Llama-3.1-70B-Instruct",
        prompt_tokens=146,
        completion_tokens=10,
        id="chat-c580e4a9ebaa44a0becc802ed5dc213a",
        created=1731294404,
    )
    assert result.body == VLLM_CHAT
    assert result.content_type == "application/json"


def test_chat_completion_stream_matches_vllms_stream() -> None:
    deltas = ["Hello", " Sam", ".", " It", "'s", " nice", " to", " meet", " you", "."]
    stream = containers.chat_completion_stream(
        deltas,
        model="meta-llama/Meta-Llama-3.1-70B-Instruct",
        prompt_tokens=46,
        id="chat-b183bb5829194e8891cacceabfdb5274",
        created=1731295402,
    )
    assert b"".join(stream.parts) == vllm_stream(deltas)
    assert len(stream.parts) == len(deltas) + 4
    plain = containers.chat_completion_stream(["Hi"])
    chunks = [json.loads(part[6:]) for part in plain.parts[:-1]]
    assert all("usage" not in chunk for chunk in chunks)
    assert [chunk["choices"][0]["delta"] for chunk in chunks] == [
        {"role": "assistant", "content": ""},
        {"content": "Hi"},
        {"content": ""},
    ]
    assert plain.parts[-1] == b"data: [DONE]\n\n"


def test_tool_calls_in_a_completion_and_a_stream() -> None:
    call = ToolCall(name="get_weather", arguments={"city": "Paris"}, id="call-1")
    document = json.loads(containers.chat_completion(tool_calls=[call]).body)
    [choice] = document["choices"]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call-1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    }
    stream = containers.chat_completion_stream(tool_calls=[call])
    deltas = [json.loads(part[6:])["choices"][0]["delta"] for part in stream.parts[:-1]]
    assert deltas[1:3] == [
        {
            "tool_calls": [
                {
                    "id": "call-1",
                    "type": "function",
                    "index": 0,
                    "function": {"name": "get_weather"},
                }
            ]
        },
        {"tool_calls": [{"index": 0, "function": {"arguments": '{"city": "Paris"}'}}]},
    ]
    last = json.loads(stream.parts[-2][6:])["choices"][0]
    assert last["finish_reason"] == "tool_calls"
    as_text = ToolCall(name="f", arguments='{"a":1}')  # sent as given
    [sent] = json.loads(containers.chat_completion(tool_calls=[as_text]).body)[
        "choices"
    ][0]["message"]["tool_calls"]
    assert sent["function"]["arguments"] == '{"a":1}'
    with pytest.raises(TypeError, match=r"ToolCall.arguments must be a mapping"):
        ToolCall(name="f", arguments=[1])  # type: ignore[arg-type]


def test_embeddings_and_csv() -> None:
    assert containers.tei_embeddings([[0.1, -2], [3.5]]).body == b"[[0.1,-2.0],[3.5]]"
    jumpstart = containers.jumpstart_embeddings([[0, 1, 0]])
    assert jumpstart.body == JUMPSTART
    sklearn = containers.sklearn_csv([0.5, 1, [0.25, 0.75]])
    assert sklearn.body == b"0.5\n1\n0.25,0.75\n"
    assert sklearn.content_type == "text/csv"


def test_tei_matches_its_published_vectors() -> None:
    first = [0.018113142, 0.00302585, -0.049911194, -0.03506436, 0.0142142335]
    body = containers.tei_embeddings([first]).body
    assert TEI_PUBLISHED.startswith(body[: -len(b"]]")])
    assert json.loads(body) == [first]


@pytest.mark.parametrize(
    "rows", [[0.5, 0.125], [0, 1, 2], [[0.25, 0.75], [0.5, 0.5]], [[1, 2, 3]]]
)
def test_sklearn_csv_is_the_inference_toolkits_encoding(rows: list[Any]) -> None:
    """sagemaker-inference-toolkit's encoder: np.savetxt(delimiter=",", fmt="%s")."""
    numpy = pytest.importorskip("numpy")
    stream = io.StringIO()
    numpy.savetxt(stream, numpy.array(rows), delimiter=",", fmt="%s")
    assert containers.sklearn_csv(rows).body == stream.getvalue().encode()


def test_xgboost_csv_is_the_containers_join() -> None:
    """serve.py: ``",".join(map(str, preds.tolist()))``; batch: one a line."""
    realtime = containers.xgboost_csv([0.0284, 0.9])
    assert realtime.body == b"0.0284,0.9"
    assert realtime.content_type == "text/csv"
    assert containers.xgboost_csv([0.5, 0.25], batch=True).body == b"0.5\n0.25\n"
    softprob = containers.xgboost_csv([[0.1, 0.9], [0.7, 0.3]])
    assert softprob.body == b"[0.1, 0.9],[0.7, 0.3]"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: untyped.tgi_stream("abc"),
            r"tgi_stream\(tokens\) must be a sequence",
        ),
        (lambda: untyped.tgi_stream([]), r"needs at least one token"),
        (
            lambda: untyped.tgi_stream(["a", 1]),
            r"tgi_stream\(tokens\)\[1\] must be a str",
        ),
        (
            lambda: untyped.tgi_stream(["a"], token_ids=[1, 2]),
            r"tgi_stream\(token_ids=\.\.\.\) has 2 values for 1 tokens",
        ),
        (lambda: untyped.tgi_generate(b"x"), r"tgi_generate\(generated_text\) must"),
        (
            lambda: untyped.chat_completion(1),
            r"chat_completion\(content\) must be a str",
        ),
        (
            lambda: untyped.chat_completion(tool_calls=ToolCall(name="f")),
            r"chat_completion\(tool_calls\) must be a sequence of ToolCall",
        ),
        (
            lambda: untyped.chat_completion_stream(tool_calls=[{"name": "f"}]),
            r"chat_completion_stream\(tool_calls\)\[0\] must be a ToolCall",
        ),
        (lambda: untyped.tei_embeddings("x"), r"tei_embeddings\(vectors\) must be"),
        (
            lambda: untyped.jumpstart_embeddings([[True]]),
            r"jumpstart_embeddings\(vectors\)\[0\] must be a sequence of numbers",
        ),
        (lambda: untyped.sklearn_csv("1,2"), r"sklearn_csv\(rows\) must be"),
        (
            lambda: untyped.xgboost_csv([["a"]]),
            r"xgboost_csv\(predictions\)\[0\] must be a number",
        ),
        (lambda: untyped.split(b"x"), r"split\(stream\) must be a StreamResult"),
        (
            lambda: untyped.split(StreamResult(parts=[b"x"]), "lines"),
            r"split\(cut=\.\.\.\) must be 'mid-line', 'mid-character' or 'bytes'",
        ),
    ],
)
def test_builders_name_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def test_split_moves_only_the_boundaries() -> None:
    stream = containers.tgi_stream(["日本", "で"])
    whole = b"".join(stream.parts)
    for cut in ("mid-line", "mid-character", "bytes"):
        resplit = containers.split(stream, cut)
        assert b"".join(resplit.parts) == whole
        assert resplit.content_type == stream.content_type
    by_byte = containers.split(stream, "bytes")
    assert all(len(part) == 1 for part in by_byte.parts)
    mid_line = containers.split(stream, "mid-line").parts
    lines = [line for line in whole.splitlines(keepends=True) if line.strip()]
    assert lines
    for line in lines:  # no part holds a whole line: each is cut in two
        assert not any(line in part for part in mid_line), line
    mid_char = containers.split(stream, "mid-character").parts
    characters = sum(byte >= 0xC0 for byte in whole)  # lead bytes
    assert characters == 3 * 2  # 日, 本, で, in a token and in generated_text
    assert sum(part[-1] >= 0xC0 for part in mid_char) == characters
    assert set(stream.parts) != set(mid_char)


def test_a_split_stream_arrives_byte_for_byte_through_a_client(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Each cut is one PayloadPart; the bytes add up to the server's."""
    stream = containers.chat_completion_stream(["Bon", "jour ", "ça va"])
    for cut in ("mid-line", "mid-character", "bytes"):
        stub.queue_stream(containers.split(stream, cut))
        response = client.invoke_endpoint_with_response_stream(
            EndpointName="chat", Body=cut
        )
        parts = [event["PayloadPart"]["Bytes"] for event in response["Body"]]
        assert parts == list(containers.split(stream, cut).parts)
        assert b"".join(parts) == b"".join(stream.parts)
