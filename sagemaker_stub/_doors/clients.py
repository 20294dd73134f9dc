"""Every ``sagemaker-runtime``, S3, ``sagemaker`` and STS client in the
process, and what answers it.

A client-bound stub (``SageMakerRuntimeStub``) answers its own client; the
innermost active ``mock()`` answers every other one. Both consult this
registry, under one lock:

- every client, held weakly: those made since the package was imported, as
  they are made (botocore tells no one when a client is made, so
  ``BaseClient.__init__`` is watched: see ``watches.watch_clients``), and
  those made before, at their first call while a mock is active
  (``watches.watch_calls``);
- the stub bound to each client;
- the active mocks, innermost last. Only the innermost answers: when another
  starts, the one it hides lets go of every client until it is innermost
  again.

A mock registers handlers on the clients it answers when it starts, on a
client made while it is active as the client is made, and on one made before
the import at its first call. A client made while a mock answers its service
gets placeholder keys unless it was given keys or the mock records
(``watches.watch_credentials``), so no credential chain runs.
"""

from __future__ import annotations

import sys
import threading
import weakref
from typing import Any, Protocol

from .watches import watch_calls, watch_clients, watch_credentials

__all__ = [
    "LOCK",
    "Reach",
    "bind",
    "bound_stub",
    "forget",
    "start",
    "stop",
    "unbind",
]

RUNTIME = "sagemaker-runtime"
S3 = "s3"
#: The clients SDKs call around an invocation (``_doors/around.py``).
AROUND = ("sagemaker", "sts")


class Reach(Protocol):
    """What the registry asks of an active mock (all under :data:`LOCK`)."""

    def reach(self, client: Any, service: str) -> None:
        """Start answering ``client``, a client of ``service``."""

    def release(self, client: Any) -> None:
        """Stop answering ``client``; nothing if it was not answered."""

    def release_all(self) -> None:
        """Stop answering every client."""

    def placeholder_key(self, service: str) -> str | None:
        """The key a client of ``service`` made now gets instead of resolving
        its own, or None (a service not answered, or a recording mock)."""


#: Guards everything below, and the activation of stubs and mocks. Reentrant:
#: a mock answering a client made while it starts may make none itself, but a
#: handler registered under it could.
LOCK = threading.RLock()
_clients: dict[str, weakref.WeakSet[Any]] = {
    service: weakref.WeakSet() for service in (RUNTIME, S3, *AROUND)
}
#: The stub bound to each client. Neither is kept alive by this table: a stub
#: and client the test forgot are collected, as a forgotten Stubber is.
_bound: weakref.WeakKeyDictionary[Any, weakref.ref[Any]] = weakref.WeakKeyDictionary()
_mocks: list[Reach] = []


def _note(client: Any, service: str, known: weakref.WeakSet[Any]) -> None:
    """Note ``client``, and let the innermost mock answer it unless a stub is
    bound to it."""
    with LOCK:
        if client in known:  # pragma: no cover - a race: another thread noted it
            return
        known.add(client)
        if _mocks and (service != RUNTIME or client not in _bound):
            _mocks[-1].reach(client, service)


def _created(client: Any) -> None:
    """A client was made: note it, and let the innermost mock answer it."""
    service = client.meta.service_model.service_name
    known = _clients.get(service)
    if known is not None:
        _note(client, service, known)


def _seen(client: Any) -> None:
    """A client is about to make a call: while a mock is active, one made
    before the import (so never seen) is noted and answered from now on."""
    if not _mocks:
        return
    service = client.meta.service_model.service_name
    known = _clients.get(service)
    if known is not None and client not in known:
        _note(client, service, known)


def _placeholder(service: str) -> str | None:
    """The key a client made now for ``service`` gets, if a mock answers it."""
    mocks = _mocks
    return mocks[-1].placeholder_key(service) if mocks else None


watch_clients(_created)
watch_calls(_seen)
watch_credentials(_placeholder)


def _watch_aiobotocore() -> None:
    """The same watches on aiobotocore's own classes, once it is imported."""
    if "aiobotocore.client" in sys.modules:
        from .aiobotocore import watch  # noqa: PLC0415 - aiobotocore only

        watch(_seen, _placeholder)


def bound_stub(client: Any) -> Any:
    """The stub bound to ``client``, or None."""
    known = _bound.get(client)
    return None if known is None else known()


def bind(client: Any, stub: object) -> None:
    """``stub`` answers ``client`` from now on; the innermost mock lets go of it."""
    with LOCK:
        _bound[client] = weakref.ref(stub)
        if _mocks:
            _mocks[-1].release(client)


def unbind(client: Any) -> None:
    """The bound stub stopped: the innermost mock answers ``client`` again."""
    with LOCK:
        _bound.pop(client, None)
        if _mocks and client in _clients[RUNTIME]:
            _mocks[-1].reach(client, RUNTIME)


def forget(client: Any) -> None:
    """``client`` will make no more calls (its fixture ended): later mocks
    need not answer it, even while the garbage collector has yet to free it."""
    with LOCK:
        for known in _clients.values():
            known.discard(client)


def start(mock: Reach) -> None:
    """``mock`` becomes the innermost: it answers every client not bound."""
    _watch_aiobotocore()
    with LOCK:
        if _mocks:
            _mocks[-1].release_all()
        _mocks.append(mock)
        _reach_all(mock)


def stop(mock: Reach) -> None:
    """``mock``, which is active, stops; the one it hid, if any, answers again."""
    with LOCK:
        innermost = _mocks[-1] is mock
        _mocks.remove(mock)
        if not innermost:
            return
        mock.release_all()
        if _mocks:
            _reach_all(_mocks[-1])


def _reach_all(mock: Reach) -> None:
    for service, clients in _clients.items():
        for client in list(clients):
            if service != RUNTIME or client not in _bound:
                mock.reach(client, service)
