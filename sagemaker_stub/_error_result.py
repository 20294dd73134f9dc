"""ErrorResult: an error response, raised as the client's own exception class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from typing_extensions import Self

from ._text import check_header_text, describe, dump_json, typed

__all__ = ["ErrorResult"]


def _check_fields(
    instance: ErrorResult, attribute: attrs.Attribute[Any], value: object
) -> None:
    if not isinstance(value, Mapping):
        msg = f"ErrorResult.fields must be a mapping; got {describe(value)}."
        raise TypeError(msg)
    # The fields travel as the JSON body of the error response.
    dump_json(dict(value), "ErrorResult.fields")


@attrs.frozen(kw_only=True)
class ErrorResult:
    """An error response: the call raises the client's own exception class.

    Prefer the factories, one per error the service models, which set the
    service's HTTP status. ``fields`` holds the error's modeled members beyond
    ``Message`` (for ``ModelError``: ``OriginalStatusCode``, ``OriginalMessage``
    and ``LogStreamArn``); they appear at the top level of ``e.response`` as
    botocore puts them there.

    Args:
        code: The error code, e.g. ``"ModelError"``.
        message: The error message; ``None`` lets the stub write the
            service's wording where it depends on the call (``ModelError``).
        status_code: The HTTP status of the error response.
        fields: Extra modeled members of the error.
        remember: Answer every repeat of the request with this error too. By
            default an error answers one request, and the same request made
            again takes the next queued result, as a retried request succeeds
            against the service. See also :meth:`remembered`.

    .. versionadded:: 0.1.0
    """

    code: str = attrs.field()
    message: str | None = attrs.field(
        default=None,
        validator=typed(str, optional=True),
    )
    status_code: int = attrs.field(default=400)
    fields: Mapping[str, object] = attrs.field(
        factory=dict, validator=_check_fields, hash=False
    )
    remember: bool = attrs.field(default=False)

    @remember.validator
    def _check_remember(self, attribute: attrs.Attribute[bool], value: object) -> None:
        if not isinstance(value, bool):
            msg = f"ErrorResult.remember must be a bool; got {describe(value)}."
            raise TypeError(msg)

    def remembered(self) -> Self:
        """This error, given again to every repeat of the request it answers.

        .. versionadded:: 0.1.0
        """
        return attrs.evolve(self, remember=True)

    @code.validator
    def _check_code(self, attribute: attrs.Attribute[str], value: object) -> None:
        check_header_text("ErrorResult", "code", value)
        if not value:
            msg = (
                "ErrorResult.code must be an error code such as 'ModelError' or "
                "'ThrottlingException'; got '' (str)."
            )
            raise ValueError(msg)

    @status_code.validator
    def _check_status(self, attribute: attrs.Attribute[int], value: object) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not (300 <= value <= 599)
        ):
            msg = (
                "ErrorResult.status_code must be an int HTTP error status "
                f"from 300 to 599; got {describe(value)}."
            )
            raise ValueError(msg)

    @classmethod
    def model_error(
        cls,
        original_status_code: int = 500,
        original_message: str = "",
        log_stream_arn: str | None = None,
        *,
        message: str | None = None,
    ) -> Self:
        """``ModelError`` (HTTP 424): the model container answered with an error.

        Args:
            original_status_code: The status the container returned.
            original_message: The body the container returned.
            log_stream_arn: The CloudWatch log stream; by default the
                endpoint's log group in the stub's region and account.
            message: By default the service's wording, naming the status, the
                original message and the endpoint's log group.
        """
        if isinstance(original_status_code, bool) or not isinstance(
            original_status_code, int
        ):
            msg = (
                "ErrorResult.model_error(original_status_code) must be an int; "
                f"got {describe(original_status_code)}."
            )
            raise TypeError(msg)
        if not 100 <= original_status_code <= 599:
            msg = (
                "ErrorResult.model_error(original_status_code) must be an HTTP "
                f"status from 100 to 599; got {describe(original_status_code)}."
            )
            raise ValueError(msg)
        if not isinstance(original_message, str):
            msg = (
                "ErrorResult.model_error(original_message) must be a str; "
                f"got {describe(original_message)}."
            )
            raise TypeError(msg)
        fields: dict[str, object] = {
            "OriginalStatusCode": original_status_code,
            "OriginalMessage": original_message,
        }
        if log_stream_arn is not None:
            fields["LogStreamArn"] = log_stream_arn
        return cls(code="ModelError", message=message, status_code=424, fields=fields)

    @classmethod
    def validation_error(cls, message: str) -> Self:
        """``ValidationError`` (HTTP 400): the service rejected the request."""
        return cls(code="ValidationError", message=message, status_code=400)

    @classmethod
    def service_unavailable(
        cls, message: str = "The service is unavailable. Try your call again."
    ) -> Self:
        """``ServiceUnavailable`` (HTTP 503)."""
        return cls(code="ServiceUnavailable", message=message, status_code=503)

    @classmethod
    def internal_failure(
        cls, message: str = "An internal failure occurred. Try your call again."
    ) -> Self:
        """``InternalFailure`` (HTTP 500)."""
        return cls(code="InternalFailure", message=message, status_code=500)

    @classmethod
    def model_not_ready(
        cls, message: str = "Model is not ready yet. Try your call again later."
    ) -> Self:
        """``ModelNotReadyException`` (HTTP 429)."""
        return cls(code="ModelNotReadyException", message=message, status_code=429)

    @classmethod
    def internal_dependency(
        cls,
        message: str = "An internal dependency failed. Try your call again.",
    ) -> Self:
        """``InternalDependencyException`` (HTTP 530)."""
        return cls(code="InternalDependencyException", message=message, status_code=530)

    @classmethod
    def throttling(
        cls, message: str = "Rate exceeded", *, status_code: int = 400
    ) -> Self:
        """``ThrottlingException``: not in the service model, but sent by AWS.

        botocore raises it as a plain ``ClientError`` with the code
        ``ThrottlingException``, the class botocore uses for unmodeled codes.
        """
        return cls(code="ThrottlingException", message=message, status_code=status_code)
