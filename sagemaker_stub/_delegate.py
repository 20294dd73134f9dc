"""How a facade offers the methods of the parts it holds, as its own.

The public classes (``SageMakerRuntimeStub``, ``SageMakerRuntimeMock``,
``SageMakerRuntimeServer``) are compositions: each holds a
:class:`~sagemaker_stub._engine.control.Control`, its options and its doors
as fields, and lists what it offers in its own class body, one line each::

    queue = forward(Control.queue)
    calls = forward_property(Control.calls)

:func:`forward` makes a real method with the signature and docstring of the
one it forwards to (``help()``, Sphinx and type checkers see them), calling
it on the field that holds it (``_control`` by default). The options a
facade was built with are read-only properties of it, from
:class:`OptionsView`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, Generic, TypeVar, cast, overload

from typing_extensions import Never, ParamSpec, Self

from ._options import Cassette, Options

__all__ = ["OptionsView", "forward", "forward_property"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def forward(
    method: Callable[Concatenate[Any, P], R], field: str = "_control"
) -> Callable[Concatenate[Any, P], R]:
    """A method that calls ``method`` on the object held in ``field``."""
    name = method.__name__

    @functools.wraps(method)
    def forwarded(self: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        bound: Callable[P, R] = getattr(getattr(self, field), name)
        return bound(*args, **kwargs)

    return cast("Callable[Concatenate[Any, P], R]", forwarded)


class _Forwarded(Generic[T]):
    """A read-only attribute read from the object held in a field."""

    def __init__(self, field: str, name: str, doc: str | None) -> None:
        self._field = field
        self._name = name
        #: The name it has in the class that holds it, for messages.
        self._public = name
        self.__doc__ = doc

    @overload
    def __get__(self, instance: None, owner: type) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type) -> T: ...

    def __get__(self, instance: object, owner: type) -> Self | T:
        if instance is None:
            return self
        value: T = getattr(getattr(instance, self._field), self._name)
        return value

    def __set_name__(self, owner: type, name: str) -> None:
        self._public = name

    def __set__(self, instance: object, value: Never) -> None:
        msg = (
            f"property {self._public!r} of {type(instance).__name__!r} object has "
            "no setter"
        )
        raise AttributeError(msg)


def forward_property(
    prop: Callable[[Any], T], field: str = "_control"
) -> _Forwarded[T]:
    """A read-only property that reads ``prop`` of the object held in ``field``.

    ``prop`` is a property of the held object's class (type checkers see a
    property read on its class as its getter, hence the annotation).
    """
    assert isinstance(prop, property)
    assert prop.fget is not None
    return _Forwarded(field, prop.fget.__name__, prop.__doc__)


class OptionsView:
    """The options a stub, mock or server was built with, read-only.

    They are fixed when it is built; each reads them from its ``_options``.
    """

    _options: Options

    @property
    def moto_compatible(self) -> bool:
        """Whether it was built to behave as moto does (defaults, no validation)."""
        return self._options.moto_compatible

    @property
    def allow_defaults(self) -> bool:
        """Whether a call with nothing queued gets moto's static default."""
        return self._options.allow_defaults

    @property
    def account_id(self) -> str:
        """The account id in ``ModelError`` messages and not-found errors."""
        return self._options.account_id

    @property
    def keep_bodies(self) -> bool:
        """Whether :attr:`calls` keep each request body."""
        return self._options.keep_bodies

    @property
    def validate(self) -> bool:
        """Whether requests are validated as the service validates them."""
        return self._options.validate

    @property
    def retries(self) -> bool:
        """Whether calls are answered inside botocore's retry loop."""
        return self._options.retries

    @property
    def sleep_between_retries(self) -> bool:
        """Whether botocore's retry backoff is slept (``retries=True``)."""
        return self._options.sleep_between_retries

    @property
    def session_ttl_seconds(self) -> float:
        """How long a stateful session lasts."""
        return self._options.session_ttl_seconds

    @property
    def cassette(self) -> Cassette | None:
        """The cassette replayed or recorded, if any.

        .. versionadded:: 0.2.0
        """
        return self._options.cassette
