"""A cassette's file: JSON, written so the same traffic writes the same bytes.

JSON rather than YAML: the standard library reads and writes it, so
recording adds no dependency, and every tool and reviewer reads it. Text
bodies are strings, binary bodies ``{"base64": ...}``. It is written with a
fixed key order and indentation and without timestamps, request ids or
generated inference ids, and replaced at once (a temporary file renamed), so
an interrupted run never leaves half a cassette.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
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

__all__ = ["read_interactions", "write_interactions"]

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


def write_interactions(
    cassette: Cassette, interactions: list[Interaction], path: Path
) -> None:
    """Write ``interactions`` to ``path`` as ``cassette`` says, replacing it at once."""
    writer = _Writer(cassette)
    documents = []
    for number, interaction in enumerate(interactions, 1):
        document: object = writer.interaction(interaction)
        if cassette.before_record is not None:
            document = cassette.before_record(document)  # type: ignore[arg-type]
            if document is None:
                continue
            if not isinstance(document, dict):
                msg = (
                    "Cassette(before_record=...) must return the interaction (a "
                    f"dict) or None; for interaction {number} it returned "
                    f"{describe(document)}."
                )
                raise TypeError(msg)
        documents.append(document)
    text = json.dumps(
        {"sagemaker_stub_cassette": FORMAT, "interactions": documents},
        indent=2,
        ensure_ascii=False,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- reading --------------------------------------------------------------------


class _Reader:
    """Turns the file's JSON back into interactions, naming what is wrong."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def fail(self, where: str, problem: str) -> NoReturn:
        msg = f"Cassette {str(self._path)!r}, {where}: {problem}"
        raise CassetteError(msg)

    def mapping(self, value: object, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(where, f"must be a JSON object; got {describe(value)}.")
        return value

    def text(self, value: object, where: str, *, optional: bool = False) -> Any:
        if not isinstance(value, str) and not (optional and value is None):
            self.fail(where, f"must be a string; got {describe(value)}.")
        return value

    def body(self, value: object, where: str) -> bytes:
        if isinstance(value, str):
            return value.encode("utf-8")
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
        try:
            return factory(**fields)
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


def read_interactions(path: Path) -> list[Interaction]:
    """The interactions recorded in the cassette at ``path``."""
    reader = _Reader(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"Cassette {str(path)!r} cannot be read: {exc}."
        raise CassetteError(msg) from exc
    try:
        document = json.loads(text)
    except ValueError as exc:
        reader.fail("the file", f"is not JSON: {exc}.")
    top = reader.mapping(document, "the file")
    if top.get("sagemaker_stub_cassette") != FORMAT:
        reader.fail(
            "the file",
            f'must say "sagemaker_stub_cassette": {FORMAT}; got '
            f"{describe(top.get('sagemaker_stub_cassette'))}. Is it a cassette "
            "written by sagemaker-stub?",
        )
    interactions = top.get("interactions")
    if not isinstance(interactions, list):
        reader.fail("interactions", f"must be a list; got {describe(interactions)}.")
    return [
        reader.interaction(item, f"interactions[{index}]")
        for index, item in enumerate(interactions)
    ]
