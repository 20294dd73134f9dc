"""Results in the formats real model servers answer with, byte for byte.

Each builder returns an :class:`~sagemaker_stub.InvokeResult` or a
:class:`~sagemaker_stub.StreamResult` holding exactly the bytes the named
container sends, streams split into parts as the server writes them (one
server-sent event a part). Queue them, or return them from a responder::

    from sagemaker_stub import containers

    stub.queue_stream(containers.tgi_stream(["Par", "is"]))
    stub.add_responder(lambda call: containers.chat_completion("Hi"))

:func:`split` cuts a stream's parts where line iterators break: in the
middle of lines, inside UTF-8 characters, or one byte a part.

What each builder mirrors (from the containers' public documentation and
published examples of their output):

- :func:`tgi_generate`, :func:`tgi_stream`: Hugging Face Text Generation
  Inference 2.x, the Hugging Face LLM container (DLC) on SageMaker, whose
  ``/invocations`` answers a list of one generation and streams
  ``data:{...}`` events when the request has ``"stream": true``.
- :func:`chat_completion`, :func:`chat_completion_stream`: vLLM 0.6's
  OpenAI-compatible chat completions, as the LMI (DJL Serving) container
  with the vLLM engine and the SageMaker vLLM containers serve them
  (``data: {...}`` events, then ``data: [DONE]``).
- :func:`tei_embeddings`: Hugging Face Text Embeddings Inference 1.x
  (``/embed``: a list of vectors).
- :func:`jumpstart_embeddings`: the JumpStart text-embedding models
  (``{"embedding": [...]}``).
- :func:`xgboost_csv`: the SageMaker XGBoost algorithm container's
  ``text/csv`` output (``",".join`` of the predictions; one a line in batch
  transform), and :func:`sklearn_csv`: the scikit-learn container's (one row
  a line, as numpy's ``savetxt`` writes it).

.. versionadded:: 0.3.0
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import attrs

from ._results import InvokeResult, StreamResult
from ._text import describe

__all__ = [
    "ToolCall",
    "chat_completion",
    "chat_completion_stream",
    "jumpstart_embeddings",
    "sklearn_csv",
    "split",
    "tei_embeddings",
    "tgi_generate",
    "tgi_stream",
    "xgboost_csv",
]

JSON = "application/json"
EVENT_STREAM = "text/event-stream"

#: The ``id`` and ``created`` every chat completion carries unless given:
#: fixed, so that a test's results (and a cassette's) do not change per run.
CHAT_ID = "chat-sagemaker-stub"
CREATED = 1700000000


def _dump(obj: object) -> bytes:
    """JSON as these servers write it: compact, non-ASCII characters as they
    are (serde_json, and vLLM's JSON responses, do not escape them)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def _text(where: str, value: object) -> str:
    if not isinstance(value, str):
        msg = f"{where} must be a str; got {describe(value)}."
        raise TypeError(msg)
    return value


def _texts(where: str, values: object) -> list[str]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        msg = (
            f"{where} must be a sequence of str, one per token; got {describe(values)}."
        )
        raise TypeError(msg)
    return [_text(f"{where}[{index}]", value) for index, value in enumerate(values)]


# -- Text Generation Inference ------------------------------------------------------


def tgi_generate(generated_text: str) -> InvokeResult:
    """A TGI container's answer to a generate request.

    ``[{"generated_text":"..."}]``, as the Hugging Face LLM container's
    ``/invocations`` returns it (TGI's own ``/generate`` returns the object
    alone).
    """
    text = _text("tgi_generate(generated_text)", generated_text)
    return InvokeResult(body=_dump([{"generated_text": text}]), content_type=JSON)


def tgi_stream(
    tokens: Sequence[str],
    *,
    token_ids: Sequence[int] | None = None,
    logprobs: Sequence[float] | None = None,
) -> StreamResult:
    """A TGI container's token stream: one server-sent event a token.

    Each event is ``data:{"index":N,"token":{"id":..,"text":..,"logprob":..,
    "special":false},"generated_text":null,"details":null}`` and a blank
    line; the last one carries the whole text in ``generated_text``.

    Args:
        tokens: The text of each token, in order.
        token_ids: Each token's id (by default its index, from 1).
        logprobs: Each token's log-probability (by default 0.0).
    """
    texts = _texts("tgi_stream(tokens)", tokens)
    if not texts:
        msg = "tgi_stream(tokens) needs at least one token: TGI sends one event each."
        raise ValueError(msg)
    ids = list(token_ids) if token_ids is not None else list(range(1, len(texts) + 1))
    probs = list(logprobs) if logprobs is not None else [0.0] * len(texts)
    for name, given in (("token_ids", ids), ("logprobs", probs)):
        if len(given) != len(texts):
            msg = (
                f"tgi_stream({name}=...) has {len(given)} values for "
                f"{len(texts)} tokens; give one per token."
            )
            raise ValueError(msg)
    parts = []
    for index, (text, token_id, logprob) in enumerate(
        zip(texts, ids, probs, strict=False), 1
    ):
        last = index == len(texts)
        event = {
            "index": index,
            "token": {
                "id": token_id,
                "text": text,
                "logprob": logprob,
                "special": False,
            },
            "generated_text": "".join(texts) if last else None,
            "details": None,
        }
        parts.append(b"data:" + _dump(event) + b"\n\n")
    return StreamResult(parts=parts, content_type=EVENT_STREAM)


# -- OpenAI-compatible chat completions (LMI / vLLM) --------------------------------


@attrs.frozen(kw_only=True)
class ToolCall:
    """A tool call in a chat completion.

    Args:
        name: The function's name.
        arguments: Its arguments: a mapping (sent as JSON) or the JSON text.
        id: The call's id.
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    arguments: Mapping[str, object] | str = attrs.field(factory=dict)
    id: str = attrs.field(
        default="chatcmpl-tool-0", validator=attrs.validators.instance_of(str)
    )

    @arguments.validator
    def _check_arguments(
        self, attribute: attrs.Attribute[object], value: object
    ) -> None:
        if not isinstance(value, (Mapping, str)):
            msg = (
                "ToolCall.arguments must be a mapping (sent as JSON) or the JSON "
                f"text; got {describe(value)}."
            )
            raise TypeError(msg)

    @property
    def arguments_json(self) -> str:
        """The arguments as the JSON text the server sends."""
        arguments = self.arguments
        if isinstance(arguments, str):
            return arguments
        return json.dumps(arguments, ensure_ascii=False)


def _tool_calls(where: str, calls: object) -> list[ToolCall]:
    if isinstance(calls, ToolCall) or not isinstance(calls, Sequence):
        msg = f"{where} must be a sequence of ToolCall; got {describe(calls)}."
        raise TypeError(msg)
    for index, call in enumerate(calls):
        if not isinstance(call, ToolCall):
            msg = f"{where}[{index}] must be a ToolCall; got {describe(call)}."
            raise TypeError(msg)
    return list(calls)


def chat_completion(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCall] = (),
    model: str = "model",
    finish_reason: str | None = None,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    id: str = CHAT_ID,
    created: int = CREATED,
) -> InvokeResult:
    """An OpenAI-compatible chat completion, as vLLM writes it.

    Args:
        content: The assistant's message; None with tool calls only.
        tool_calls: Tool calls the assistant makes.
        model: The served model's name.
        finish_reason: By default ``"tool_calls"`` with tool calls, else
            ``"stop"``.
        prompt_tokens: ``usage.prompt_tokens``.
        completion_tokens: ``usage.completion_tokens``.
        id: The completion's id.
        created: Its Unix time.
    """
    if content is not None:
        _text("chat_completion(content)", content)
    calls = _tool_calls("chat_completion(tool_calls)", tool_calls)
    reason = finish_reason or ("tool_calls" if calls else "stop")
    message = {
        "role": "assistant",
        "content": content,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments_json},
            }
            for call in calls
        ],
    }
    document = {
        "id": id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": reason,
                "stop_reason": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "completion_tokens": completion_tokens,
        },
        "prompt_logprobs": None,
    }
    return InvokeResult(body=_dump(document), content_type=JSON)


def chat_completion_stream(
    deltas: Sequence[str] = (),
    *,
    tool_calls: Sequence[ToolCall] = (),
    model: str = "model",
    finish_reason: str | None = None,
    prompt_tokens: int | None = None,
    id: str = CHAT_ID,
    created: int = CREATED,
) -> StreamResult:
    """An OpenAI-compatible ``chat.completion.chunk`` stream, as vLLM sends it.

    One event a chunk: the role first (with empty content), one per delta,
    each tool call's name and then its arguments, the finish reason with
    ``stop_reason``, and ``data: [DONE]``.

    Args:
        deltas: The content, piece by piece.
        tool_calls: Tool calls, streamed after the content.
        model: The served model's name.
        finish_reason: By default ``"tool_calls"`` with tool calls, else
            ``"stop"``.
        prompt_tokens: Give it to stream usage as vLLM does with
            ``stream_options: {"include_usage": true, "continuous_usage_stats":
            true}``: every chunk carries the running ``usage``, and a last
            chunk with no choices the totals (a token per delta).
        id: The completion's id.
        created: Its Unix time.
    """
    pieces = _texts("chat_completion_stream(deltas)", deltas)
    calls = _tool_calls("chat_completion_stream(tool_calls)", tool_calls)
    reason = finish_reason or ("tool_calls" if calls else "stop")
    head = {"id": id, "object": "chat.completion.chunk", "created": created}
    chunks: list[dict[str, object]] = []

    def choice(delta: dict[str, object], finish: str | None = None) -> None:
        entry: dict[str, object] = {
            "index": 0,
            "delta": delta,
            "logprobs": None,
            "finish_reason": finish,
        }
        if finish is not None:
            entry["stop_reason"] = None
        chunks.append({**head, "model": model, "choices": [entry]})

    choice({"role": "assistant", "content": ""})
    for piece in pieces:
        choice({"content": piece})
    for index, call in enumerate(calls):
        opening = {"id": call.id, "type": "function", "index": index}
        choice({"tool_calls": [{**opening, "function": {"name": call.name}}]})
        arguments = {"arguments": call.arguments_json}
        choice({"tool_calls": [{"index": index, "function": arguments}]})
    choice({"content": ""}, reason)
    if prompt_tokens is not None:
        for produced, chunk in enumerate(chunks):
            chunk["usage"] = _usage(prompt_tokens, produced)
        chunks.append(
            {**head, "model": model, "choices": [], "usage": chunks[-1]["usage"]}
        )
    parts = [b"data: " + _dump(chunk) + b"\n\n" for chunk in chunks]
    parts.append(b"data: [DONE]\n\n")
    return StreamResult(parts=parts, content_type=EVENT_STREAM)


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "total_tokens": prompt + completion,
        "completion_tokens": completion,
    }


# -- embeddings, CSV ----------------------------------------------------------------


def _vectors(where: str, vectors: object) -> list[list[float]]:
    """``vectors``, checked: each a sequence of numbers, kept as given."""
    if not isinstance(vectors, Sequence) or isinstance(vectors, (str, bytes)):
        msg = f"{where} must be a sequence of vectors; got {describe(vectors)}."
        raise TypeError(msg)
    checked = []
    for index, vector in enumerate(vectors):
        if not isinstance(vector, Sequence) or not all(
            isinstance(value, (int, float)) and not isinstance(value, bool)
            for value in vector
        ):
            msg = (
                f"{where}[{index}] must be a sequence of numbers; got "
                f"{describe(vector)}."
            )
            raise TypeError(msg)
        checked.append(list(vector))
    return checked


def tei_embeddings(vectors: Sequence[Sequence[float]]) -> InvokeResult:
    """A Text Embeddings Inference container's answer: one vector per input."""
    checked = _vectors("tei_embeddings(vectors)", vectors)
    floats = [[float(value) for value in vector] for vector in checked]  # f32s
    return InvokeResult(body=_dump(floats), content_type=JSON)


def jumpstart_embeddings(vectors: Sequence[Sequence[float]]) -> InvokeResult:
    """A JumpStart text-embedding model's answer: ``{"embedding": [[...]]}``,
    written by Python's ``json.dumps`` (``", "`` between values)."""
    checked = _vectors("jumpstart_embeddings(vectors)", vectors)
    body = json.dumps({"embedding": checked}).encode()
    return InvokeResult(body=body, content_type=JSON)


def _numbers(where: str, rows: object) -> list[object]:
    """``rows``, checked: each a number or a sequence of numbers."""
    given: object = rows
    if not isinstance(given, Sequence) or isinstance(given, (str, bytes)):
        msg = f"{where} must be a sequence of predictions; got {describe(given)}."
        raise TypeError(msg)
    for index, row in enumerate(given):
        values = (
            row if isinstance(row, Sequence) and not isinstance(row, str) else [row]
        )
        for value in values:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                msg = (
                    f"{where}[{index}] must be a number or a sequence of numbers; "
                    f"got {describe(row)}."
                )
                raise TypeError(msg)
    return list(given)


def xgboost_csv(predictions: Sequence[object], *, batch: bool = False) -> InvokeResult:
    """The SageMaker XGBoost algorithm container's ``text/csv`` answer.

    A real-time endpoint joins the predictions with commas on one line, with
    no newline (batch transform: one a line, each ending in a newline), each
    written as Python's ``str`` writes it; a multi-class prediction is a
    list (``[0.1, 0.9]``).
    """
    values = _numbers("xgboost_csv(predictions)", predictions)
    texts = [
        str(list(value) if isinstance(value, Sequence) else value) for value in values
    ]
    body = "".join(f"{text}\n" for text in texts) if batch else ",".join(texts)
    return InvokeResult(body=body, content_type="text/csv")


def sklearn_csv(rows: Sequence[object]) -> InvokeResult:
    """The scikit-learn container's ``text/csv`` answer: one row a line.

    A row is a number, or a sequence of numbers joined by commas (a row of
    class probabilities), as numpy's ``savetxt`` writes them.
    """
    values = _numbers("sklearn_csv(rows)", rows)
    lines = [
        ",".join(map(str, row)) if isinstance(row, Sequence) else str(row)
        for row in values
    ]
    return InvokeResult(
        body="".join(f"{line}\n" for line in lines), content_type="text/csv"
    )


# -- splitting streams where readers break ------------------------------------------

#: How :func:`split` cuts a stream.
Cut = Literal["mid-line", "mid-character", "bytes"]


def split(stream: StreamResult, cut: Cut = "mid-line") -> StreamResult:
    """The same stream with its parts cut where line iterators break.

    The bytes are the same, in the same order; only the part boundaries
    move. ``stream``'s error, content type and other fields are kept.

    Args:
        stream: A stream, from a builder here or your own.
        cut: ``"mid-line"``: each part ends halfway through a line, so every
            line is split across two parts (the newline starts the next
            part's bytes or ends the line). ``"mid-character"``: every
            multi-byte UTF-8 character is cut after its first byte, besides
            the parts' own boundaries. ``"bytes"``: one byte a part.
    """
    if not isinstance(stream, StreamResult):
        msg = f"split(stream) must be a StreamResult; got {describe(stream)}."
        raise TypeError(msg)
    data = b"".join(stream.parts)
    if cut == "bytes":
        cuts = set(range(1, len(data)))
    elif cut == "mid-line":
        cuts = set()
        start = 0
        for line in data.splitlines(keepends=True):
            body = len(line.rstrip(b"\r\n"))
            cuts.add(start + max(1, body // 2))
            start += len(line)
    elif cut == "mid-character":
        cuts = {
            index + 1
            for index, byte in enumerate(data)
            if byte >= 0xC0  # the lead byte of a multi-byte character
        }
        ends, position = set(), 0
        for part in stream.parts:
            position += len(part)
            ends.add(position)
        cuts |= ends
    else:
        msg = (
            "split(cut=...) must be 'mid-line', 'mid-character' or 'bytes'; "
            f"got {describe(cut)}."
        )
        raise ValueError(msg)
    bounds = [0, *sorted(point for point in cuts if 0 < point < len(data)), len(data)]
    parts = [
        data[start:end] for start, end in itertools.pairwise(bounds) if end > start
    ]
    return attrs.evolve(stream, parts=parts)
