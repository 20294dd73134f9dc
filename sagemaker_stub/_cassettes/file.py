"""A cassette's file: JSON, written so the same traffic writes the same bytes.

JSON rather than YAML: the standard library reads and writes it, so
recording adds no dependency, and every tool and reviewer reads it. Text
bodies are strings, binary bodies ``{"base64": ...}``. It is written with a
fixed key order and indentation and without timestamps, request ids or
generated inference ids, and replaced at once (a temporary file renamed), so
an interrupted run never leaves half a cassette; the file keeps its mode, and
a temporary file a killed save left behind is removed by a later save.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import glob
import json
import os
import secrets
import stat
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from sagemaker_stub._errors import CassetteError
from sagemaker_stub._options import Cassette
from sagemaker_stub._results import (
    AsyncResult,
    ErrorResult,
    InvokeResult,
    StreamError,
    StreamResult,
)
from sagemaker_stub._text import describe

from .interactions import FORMAT, OPERATIONS, Interaction, RecordedAsync
from .outcomes import as_sent

__all__ = [
    "Document",
    "documents_of",
    "read_cassette",
    "write_documents",
]

#: An interaction as the file holds it.
Document = dict[str, Any]

_T = TypeVar("_T")


# -- writing --------------------------------------------------------------------


class _Writer:
    """Turns interactions into the file's JSON, scrubbing as it goes."""

    def __init__(self, cassette: Cassette) -> None:
        self._scrub = tuple(cassette.scrub.items())
        self._scrub_bytes = tuple(
            (old.encode("utf-8"), new.encode("utf-8")) for old, new in self._scrub
        )

    def text(self, value: str) -> str:
        for old, new in self._scrub:
            value = value.replace(old, new)
        return value

    def body(self, data: bytes) -> object:
        for old, new in self._scrub_bytes:
            data = data.replace(old, new)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(data).decode("ascii")}

    def value(self, value: object) -> object:
        return self.text(value) if isinstance(value, str) else value

    def interaction(self, interaction: Interaction) -> dict[str, Any]:
        request: dict[str, Any] = {"EndpointName": self.text(interaction.endpoint_name)}
        for name, value in interaction.identity.items():
            request[name] = self.text(value)
        if interaction.operation != "InvokeEndpointAsync":
            request["Body"] = self.body(interaction.body)
        document: dict[str, Any] = {
            "operation": interaction.operation,
            "request": request,
        }
        result = interaction.result
        if isinstance(result, ErrorResult):
            document["error"] = self.error(result)
        else:
            document["response"] = self.response(result)
        return document

    def error(self, error: ErrorResult) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "Code": error.code,
            "Message": self.value(error.message),
            "StatusCode": error.status_code,
        }
        for name in sorted(error.fields):
            fields[name] = self.value(error.fields[name])
        return fields

    def _headers(self, result: InvokeResult | StreamResult) -> dict[str, Any]:
        fields: dict[str, Any] = {"ContentType": self.text(result.content_type)}
        variant = result.invoked_production_variant
        if isinstance(variant, str):
            fields["InvokedProductionVariant"] = self.text(variant)
        if result.custom_attributes is not None:
            fields["CustomAttributes"] = self.text(result.custom_attributes)
        return fields

    def response(self, result: object) -> dict[str, Any]:
        if isinstance(result, InvokeResult):
            fields = {"Body": self.body(result.body), **self._headers(result)}
            if result.close_session:
                fields["ClosesSession"] = True
            return fields
        if isinstance(result, StreamResult):
            fields = self._headers(result)
            fields["Parts"] = [self.body(part) for part in result.parts]
            if result.error is not None:
                error: dict[str, Any] = {
                    "Code": result.error.code,
                    "Message": self.text(result.error.message),
                }
                if result.error.error_code is not None:
                    error["ErrorCode"] = self.text(result.error.error_code)
                fields["Error"] = error
            return fields
        assert isinstance(result, RecordedAsync)
        fields = {
            "OutputLocation": self.text(result.output_location),
            "FailureLocation": self.text(result.failure_location),
        }
        outcome = result.outcome
        if outcome is not None:
            key = "Failure" if outcome.is_failure else "Output"
            fields[key] = {
                "Body": self.body(outcome.data),
                "ContentType": self.text(outcome.content_type),
            }
        return fields


def documents_of(cassette: Cassette, interactions: list[Interaction]) -> list[Document]:
    """``interactions`` as ``cassette`` writes them: scrubbed, filtered, labelled."""
    writer = _Writer(cassette)
    documents: list[Document] = []
    for number, interaction in enumerate(interactions, 1):
        document = writer.interaction(interaction)
        if cassette.before_record is not None:
            filtered: object = cassette.before_record(document)
            if filtered is None:
                continue
            if not isinstance(filtered, dict):
                msg = (
                    "Cassette(before_record=...) must return the interaction (a "
                    f"dict) or None; for interaction {number} it returned "
                    f"{describe(filtered)}."
                )
                raise TypeError(msg)
            document = filtered
        if cassette.recorded_by is not None:
            document = {"recorded_by": cassette.recorded_by, **document}
        documents.append(document)
    return documents


def write_documents(documents: list[Document], path: Path) -> None:
    """Write a cassette of ``documents`` to ``path``, replacing it at once."""
    text = json.dumps(
        {"sagemaker_stub_cassette": FORMAT, "interactions": documents},
        indent=2,
        ensure_ascii=False,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}{_TEMPORARY}")
    # Made as open() makes a file, so the umask decides its mode (mkstemp's is
    # 0600); a cassette written before keeps its own.
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text + "\n")
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


#: How the temporary files a save writes end; nothing else is named so.
_TEMPORARY = ".sagemaker-stub-tmp"
#: How old a temporary file must be to be taken for a save that was killed.
_STALE_SECONDS = 600.0


def _remove_stale_temporaries(path: Path) -> None:
    """Remove the temporary files a killed save of ``path`` left behind.

    Only files of this module's naming, and only those untouched for ten
    minutes: a save in another process takes well under a second.
    """
    now = time.time()
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*{_TEMPORARY}"):
        with contextlib.suppress(FileNotFoundError):
            if now - leftover.stat().st_mtime > _STALE_SECONDS:
                leftover.unlink()


# -- reading --------------------------------------------------------------------


class _Reader:
    """Turns the file's JSON back into interactions, naming what is wrong."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def fail(self, where: str, problem: str) -> NoReturn:
        msg = f"Cassette {str(self._path)!r}, {where}: {problem}"
        raise CassetteError(msg) from None

    def decoded(self, raw: bytes) -> str:
        """The file's text: UTF-8, with or without a byte order mark."""
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.fail(
                "the file",
                "is UTF-16 (as PowerShell's > and Out-File write by default); "
                "a cassette is UTF-8. Save it as UTF-8, e.g. with "
                "Out-File -Encoding utf8.",
            )
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.fail(
                "the file",
                f"is not UTF-8 text ({exc.reason} at offset {exc.start}, "
                f"{raw[exc.start : exc.start + 4]!r}); a cassette is UTF-8.",
            )

    def mapping(self, value: object, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(where, f"must be a JSON object; got {describe(value)}.")
        return value

    def text(self, value: object, where: str, *, optional: bool = False) -> Any:
        if not isinstance(value, str) and not (optional and value is None):
            self.fail(where, f"must be a string; got {describe(value)}.")
        if isinstance(value, str):
            self.encoded(value, where)
        return value

    def encoded(self, value: str, where: str) -> bytes:
        """``value`` as UTF-8; a lone surrogate (``"\\ud800"``) has none."""
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = value[exc.start : exc.end]
            self.fail(
                where,
                f"holds {bad!r}, half of a UTF-16 surrogate pair, which is no "
                'Unicode text. Write binary data as {"base64": "..."}.',
            )

    def body(self, value: object, where: str) -> bytes:
        if isinstance(value, str):
            return self.encoded(value, where)
        encoded = value.get("base64") if isinstance(value, Mapping) else None
        if isinstance(encoded, str) and len(value) == 1:  # type: ignore[arg-type]
            try:
                return base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                pass
        return self.fail(
            where,
            'must be a string (text) or {"base64": "..."} (binary); '
            f"got {describe(value)}.",
        )

    def built(self, where: str, factory: Callable[..., _T], **fields: Any) -> _T:
        """A result as recorded: its headers as the endpoint sent them (see
        :func:`.outcomes.as_sent`), anything else checked as for a queued one."""
        try:
            return as_sent(factory, **fields)
        except (TypeError, ValueError) as exc:
            self.fail(where, str(exc))

    def interaction(self, value: object, where: str) -> Interaction:
        document = self.mapping(value, where)
        operation = document.get("operation")
        if operation not in OPERATIONS:
            self.fail(
                f"{where}.operation",
                f"must be one of {', '.join(OPERATIONS)}; got {describe(operation)}.",
            )
        self.text(document.get("recorded_by"), f"{where}.recorded_by", optional=True)
        request = dict(self.mapping(document.get("request"), f"{where}.request"))
        endpoint = self.text(
            request.pop("EndpointName", None), f"{where}.request.EndpointName"
        )
        body = b""
        if operation != "InvokeEndpointAsync":
            body = self.body(request.pop("Body", ""), f"{where}.request.Body")
        identity = {
            name: self.text(item, f"{where}.request.{name}")
            for name, item in request.items()
        }
        if ("error" in document) == ("response" in document):
            self.fail(where, 'must have either "response" or "error".')
        if "error" in document:
            result: object = self.error(document["error"], f"{where}.error")
        else:
            result = self.response(operation, document["response"], f"{where}.response")
        return Interaction(
            operation=operation,
            endpoint_name=endpoint,
            identity=identity,
            body=body,
            result=result,
        )

    def error(self, value: object, where: str) -> ErrorResult:
        fields = dict(self.mapping(value, where))
        code = fields.pop("Code", None)
        message = fields.pop("Message", None)
        status = fields.pop("StatusCode", None)
        return self.built(
            where,
            ErrorResult,
            code=code,
            message=message,
            status_code=status,
            fields=fields,
        )

    def _headers(self, fields: Mapping[str, Any], where: str) -> dict[str, Any]:
        return {
            "content_type": self.text(
                fields.get("ContentType"), f"{where}.ContentType"
            ),
            "invoked_production_variant": self.text(
                fields.get("InvokedProductionVariant"),
                f"{where}.InvokedProductionVariant",
                optional=True,
            ),
            "custom_attributes": self.text(
                fields.get("CustomAttributes"),
                f"{where}.CustomAttributes",
                optional=True,
            ),
        }

    def response(self, operation: str, value: object, where: str) -> object:
        fields = self.mapping(value, where)
        if operation == "InvokeEndpoint":
            body = self.body(fields.get("Body"), f"{where}.Body")
            headers = self._headers(fields, where)
            closes = fields.get("ClosesSession", False)
            return self.built(
                where,
                InvokeResult,
                body=body,
                close_session=closes,
                **headers,
            )
        if operation == "InvokeEndpointWithResponseStream":
            parts = fields.get("Parts")
            if not isinstance(parts, list):
                self.fail(f"{where}.Parts", f"must be a list; got {describe(parts)}.")
            data = [
                self.body(part, f"{where}.Parts[{n}]") for n, part in enumerate(parts)
            ]
            error = None
            if "Error" in fields:
                spec = self.mapping(fields["Error"], f"{where}.Error")
                error = self.built(
                    f"{where}.Error",
                    StreamError,
                    code=spec.get("Code"),
                    message=spec.get("Message"),
                    error_code=spec.get("ErrorCode"),
                )
            headers = self._headers(fields, where)
            return self.built(where, StreamResult, parts=data, error=error, **headers)
        outcome = None
        for key, failed in (("Output", False), ("Failure", True)):
            if key in fields:
                spec = self.mapping(fields[key], f"{where}.{key}")
                data_ = self.body(spec.get("Body"), f"{where}.{key}.Body")
                kind = self.text(spec.get("ContentType"), f"{where}.{key}.ContentType")
                outcome = self.built(
                    f"{where}.{key}",
                    AsyncResult,
                    data=data_,
                    is_failure=failed,
                    content_type=kind,
                )
        return RecordedAsync(
            output_location=self.text(
                fields.get("OutputLocation"), f"{where}.OutputLocation"
            ),
            failure_location=self.text(
                fields.get("FailureLocation"), f"{where}.FailureLocation"
            ),
            outcome=outcome,
        )


def read_cassette(path: Path) -> list[tuple[Document, Interaction]]:
    """The interactions recorded in the cassette at ``path``, each as written
    and as read."""
    reader = _Reader(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        msg = f"Cassette {str(path)!r} cannot be read: {exc}."
        raise CassetteError(msg) from None
    text = reader.decoded(raw)
    try:
        document = json.loads(text)
    except ValueError as exc:
        reader.fail("the file", f"is not JSON: {exc}.")
    except RecursionError:
        reader.fail(
            "the file",
            "nests JSON arrays or objects deeper than Python's JSON reader can "
            "follow; a cassette nests a handful of levels.",
        )
    top = reader.mapping(document, "the file")
    version = top.get("sagemaker_stub_cassette")
    if type(version) is not int or version != FORMAT:
        reader.fail(
            "the file",
            f'must say "sagemaker_stub_cassette": {FORMAT}; got '
            f"{describe(version)}. Is it a cassette written by sagemaker-stub?",
        )
    interactions = top.get("interactions")
    if not isinstance(interactions, list):
        reader.fail("interactions", f"must be a list; got {describe(interactions)}.")
    return [
        (item, reader.interaction(item, f"interactions[{index}]"))
        for index, item in enumerate(interactions)
    ]
