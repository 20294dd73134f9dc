"""Reading the JSON payloads moto users POST to its ``/moto-api`` endpoints."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sagemaker_stub._results import AsyncResult, InvokeResult
from sagemaker_stub._text import (
    DEFAULT_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    TEXT_CONTENT_TYPE,
    describe,
)

__all__ = ["async_results_from_moto", "invoke_results_from_moto", "payload_region"]

MOTO_DEFAULT_ACCOUNT = "123456789012"
MOTO_DEFAULT_REGION = "us-east-1"


def payload_region(payload: Mapping[str, Any]) -> str:
    """The region a moto payload is for: its ``region``, or moto's default."""
    region = payload.get("region", MOTO_DEFAULT_REGION)
    if not isinstance(region, str) or not region:
        msg = (
            f"A moto payload's 'region' must be a region name; got {describe(region)}."
        )
        raise TypeError(msg)
    return region


def _results(
    payload: object, method: str, *, region: str | None, account_id: str
) -> list[Mapping[str, Any]]:
    where = f"stub.{method}(payload)"
    if not isinstance(payload, Mapping):
        msg = (
            f"{where} must be a mapping like moto's JSON body; got {describe(payload)}."
        )
        raise TypeError(msg)
    given_region = payload_region(payload)
    if region is not None and given_region != region:
        msg = (
            f"{where}: payload['region'] is {given_region!r} but the stubbed client "
            f"is in {region!r}; moto would never serve these results to it. "
            "Drop the key or use the client's region."
        )
        raise ValueError(msg)
    given_account = payload.get("account_id", MOTO_DEFAULT_ACCOUNT)
    if given_account != account_id:
        msg = (
            f"{where}: payload['account_id'] is {given_account!r} but the stub's "
            f"account is {account_id!r}; moto would never serve these results to "
            "it. Drop the key or pass account_id= to SageMakerRuntimeStub or mock()."
        )
        raise ValueError(msg)
    results = payload.get("results", [])
    if not isinstance(results, list):
        msg = f"{where}: payload['results'] must be a list; got {describe(results)}."
        raise TypeError(msg)
    for index, result in enumerate(results):
        if not isinstance(result, Mapping):
            msg = (
                f"{where}: payload['results'][{index}] must be a mapping; "
                f"got {describe(result)}."
            )
            raise TypeError(msg)
    return results


def _optional_text(result: Mapping[str, Any], key: str, where: str) -> str | None:
    value = result.get(key)
    if value is not None and not isinstance(value, str):
        msg = f"{where}[{key!r}] must be a str or null; got {describe(value)}."
        raise TypeError(msg)
    return value


def invoke_results_from_moto(
    payload: object, *, region: str | None, account_id: str
) -> list[InvokeResult]:
    """InvokeResults from an ``endpoint-results`` payload.

    A missing ``ContentType`` becomes ``application/octet-stream`` (moto
    answers ``None``, which the service never does); a missing
    ``InvokedProductionVariant`` or ``CustomAttributes`` leaves the header out,
    as moto does.
    """
    converted = []
    results = _results(
        payload, "load_moto_results", region=region, account_id=account_id
    )
    for index, result in enumerate(results):
        where = f"stub.load_moto_results(payload): payload['results'][{index}]"
        if "Body" not in result:
            msg = f"{where} has no 'Body'; moto requires one."
            raise ValueError(msg)
        body = result["Body"]
        if not isinstance(body, (str, bytes)):
            msg = f"{where}['Body'] must be a str; got {describe(body)}."
            raise TypeError(msg)
        converted.append(
            InvokeResult(
                body=body,
                content_type=_optional_text(result, "ContentType", where)
                or DEFAULT_CONTENT_TYPE,
                invoked_production_variant=_optional_text(
                    result, "InvokedProductionVariant", where
                ),
                custom_attributes=_optional_text(result, "CustomAttributes", where),
            )
        )
    return converted


def _looks_like_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def async_results_from_moto(
    payload: object, *, region: str | None, account_id: str
) -> list[AsyncResult]:
    """AsyncResults from an ``async-endpoint-results`` payload.

    ``data`` is stored as UTF-8, as moto stores it; its content type is
    ``application/json`` when it parses as JSON, else ``text/plain``.
    """
    converted = []
    results = _results(
        payload, "load_moto_async_results", region=region, account_id=account_id
    )
    for index, result in enumerate(results):
        where = f"stub.load_moto_async_results(payload): payload['results'][{index}]"
        if "data" not in result:
            msg = f"{where} has no 'data'; moto requires one."
            raise ValueError(msg)
        data = result["data"]
        if not isinstance(data, str):
            msg = f"{where}['data'] must be a str; got {describe(data)}."
            raise TypeError(msg)
        is_failure = result.get("is_failure", False)
        if not isinstance(is_failure, bool):
            msg = f"{where}['is_failure'] must be a bool; got {describe(is_failure)}."
            raise TypeError(msg)
        content_type = (
            JSON_CONTENT_TYPE if _looks_like_json(data) else TEXT_CONTENT_TYPE
        )
        converted.append(
            AsyncResult(
                data=data.encode("utf-8"),
                is_failure=is_failure,
                content_type=content_type,
            )
        )
    return converted
