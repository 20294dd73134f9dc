"""What every response carries besides its content: a request id and a date."""

from __future__ import annotations

import itertools
import random
import time
from email.utils import formatdate

__all__ = ["http_date", "new_request_id"]

# Request ids look like the service's (UUID version 4): a random prefix drawn
# once per process, then a counter. They are unique within the process, need
# no lock (``next`` on a count is atomic) and never touch the caller's
# ``random`` state; drawing 128 random bits per response costs three times more.
_draw = random.SystemRandom()
_PREFIX = "-".join(
    (
        f"{_draw.getrandbits(32):08x}",
        f"{_draw.getrandbits(16):04x}",
        f"4{_draw.getrandbits(12):03x}",
        f"{_draw.getrandbits(14) | 0x8000:04x}",
        "",
    )
)
_serial = itertools.count(_draw.getrandbits(40))


def new_request_id() -> str:
    """A request id unique in this process, formatted as a version-4 UUID."""
    return f"{_PREFIX}{next(_serial) & 0xFFFFFFFFFFFF:012x}"


class HttpDate:
    """The current HTTP date, formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def __call__(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._text = formatdate(second, usegmt=True)
            self._second = second
        return self._text


#: The current HTTP date, for Date and Last-Modified headers.
http_date = HttpDate()
