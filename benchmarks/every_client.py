"""What mock() costs: a mocked call beside the client-bound stub, and nothing
on unrelated clients.

Importing ``sagemaker_stub`` wraps ``BaseClient.__init__`` to note each
client made, ``BaseClient._make_api_call`` to reach clients made before the
import, and ``Session.create_client`` for the keys of clients a mock
answers. An "unwatched" client here is made, and its calls made, with
botocore's own methods put back for the moment, as if the package had not
been imported, so both sides run in one process and take turns.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.stub import Stubber

import sagemaker_stub
from benchmarks.run import (
    SMALL,
    Calls,
    median_ratio,
    per_call_in_turns,
    runtime_client,
    stub_queue_path,
    stub_remembered,
)
from sagemaker_stub import InvokeResult
from sagemaker_stub._doors.watches import WRAPPED

Row = tuple[str, str, str]


@contextmanager
def unwatched() -> Iterator[None]:
    """Inside, clients are made, and call, by botocore's own methods."""
    methods = [(owner, name, getattr(owner, name)) for owner, name in WRAPPED]
    for owner, name, method in methods:
        setattr(owner, name, method.__wrapped__)
    try:
        yield
    finally:
        for owner, name, method in methods:
            setattr(owner, name, method)


class GetItems:
    """DynamoDB ``get_item`` on a client whose Stubber holds every answer."""

    def __init__(self, client: Any, count: int, *, as_if_unimported: bool) -> None:
        self.client = client
        self.as_if_unimported = as_if_unimported
        stubber = Stubber(client)
        for _ in range(count):
            stubber.add_response("get_item", {"Item": {"k": {"S": "v"}}})
        stubber.activate()

    def run(self, start: int, stop: int) -> None:
        if self.as_if_unimported:
            with unwatched():
                self._calls(start, stop)
        else:
            self._calls(start, stop)

    def _calls(self, start: int, stop: int) -> None:
        get_item = self.client.get_item
        for _ in range(start, stop):
            get_item(TableName="table", Key={"k": {"S": "k"}})


def dynamodb() -> Any:
    session: Any = boto3.session.Session()
    return session.client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def bench_unrelated_clients(count: int = 10_000) -> list[Row]:
    """A DynamoDB call: made after the import, with or without a mock active,
    beside one made as if the package had not been imported."""
    with unwatched():
        before = GetItems(dynamodb(), count, as_if_unimported=True)
    after = GetItems(dynamodb(), count, as_if_unimported=False)
    bodies = [b""] * count
    quiet = per_call_in_turns(
        {"before": lambda _: before, "after": lambda _: after},
        bodies,
    )
    with sagemaker_stub.mock(s3=True):
        with unwatched():
            before = GetItems(dynamodb(), count, as_if_unimported=True)
        after = GetItems(dynamodb(), count, as_if_unimported=False)
        mocking = per_call_in_turns(
            {"before": lambda _: before, "after": lambda _: after},
            bodies,
        )
    against = "made after the import / as if never imported (target 1.00x)"
    return [
        (
            "DynamoDB get_item (Stubber), no mock active",
            against,
            f"{median_ratio(quiet['after'], quiet['before']):.2f}x",
        ),
        (
            "DynamoDB get_item (Stubber), mock(s3=True) active",
            against,
            f"{median_ratio(mocking['after'], mocking['before']):.2f}x",
        ),
        _creation_row(max(count // 50, 2)),
    ]


def _creation_row(count: int) -> Row:
    """Making a client costs one more function call and a set insertion."""
    session: Any = boto3.session.Session()

    def make() -> None:
        session.client("sagemaker-runtime", region_name="us-east-1")

    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(count):
        with unwatched():
            times["before"].append(_timed(make))
        times["after"].append(_timed(make))
    before = statistics.median(times["before"])
    return (
        "make a sagemaker-runtime client",
        "made after the import / as if never imported",
        (
            f"{median_ratio(times['after'], times['before']):.2f}x "
            f"({before * 1e3:.1f} ms per client)"
        ),
    )


def _timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def mocked_queue_path(bodies: list[bytes]) -> Calls:
    """A client the test never hands over, answered by the active mock."""
    client = runtime_client()
    MOCK.queue(*(InvokeResult(body=b"ok") for _ in bodies))
    return Calls(client, bodies)


def mocked_remembered(bodies: list[bytes]) -> Calls:
    """The mocked client, every call a repeat of one remembered request."""
    client = runtime_client()
    MOCK.queue(InvokeResult(body=b"ok"))
    client.invoke_endpoint(EndpointName="e", Body=bodies[0])
    return Calls(client, [bodies[0]] * len(bodies))


MOCK = sagemaker_stub.mock()


def bench_mocked_calls(count: int = 20_000) -> list[Row]:
    """invoke_endpoint through mock() beside the client-bound stub, in turns."""
    bodies = [SMALL + str(n).encode() for n in range(count)]
    with MOCK:
        try:
            turns = per_call_in_turns(
                {
                    "bound": stub_queue_path,
                    "mocked": mocked_queue_path,
                    "bound remembered": stub_remembered,
                    "mocked remembered": mocked_remembered,
                },
                bodies,
            )
        finally:
            MOCK.reset()
    against = "mocked client / client-bound stub (target <= 1.05x)"
    remembered = median_ratio(turns["mocked remembered"], turns["bound remembered"])
    return [
        (
            "invoke_endpoint through mock(), small body, queue path",
            against,
            f"{median_ratio(turns['mocked'], turns['bound']):.2f}x",
        ),
        (
            "invoke_endpoint through mock(), small body, remembered repeat",
            against,
            f"{remembered:.2f}x",
        ),
    ]
