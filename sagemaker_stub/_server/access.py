"""Who may use the local server: the Host, Origin and token checks.

Three kinds of caller can reach a listening port besides the tests it is
for, and each is refused by default:

- **A web page** in the developer's browser, which can send "simple"
  requests (a POST with ``Content-Type: text/plain``) to any address with no
  preflight. Browsers say where a request comes from in ``Origin`` and
  ``Sec-Fetch-Site``; SDKs send neither. A request with an ``Origin`` the
  server was not told to allow, or that a browser marks cross-site, is
  refused (403).
- **A page reached through DNS rebinding**, whose requests carry the
  attacker's host name. ``Host`` must be an IP address, ``localhost`` (or a
  name under it), the name the server is bound to, or a name the user
  allows (a compose service name, say); anything else is refused (403).
- **Another host**, once the server listens beyond loopback. The control
  API (``/_sagemaker_stub/...`` and ``/moto-api/...``) then needs a token,
  sent in ``X-SageMaker-Stub-Token``; a missing or wrong one is refused
  (401). The runtime API and S3 stay open, as the SDKs calling them cannot
  send a token.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable, Mapping

__all__ = ["CONTROL_PREFIXES", "TOKEN_HEADER", "Access", "is_loopback"]

#: The header that carries the control token.
TOKEN_HEADER = "x-sagemaker-stub-token"
#: Paths of the control API.
CONTROL_PREFIXES = ("/_sagemaker_stub/", "/moto-api/")

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def _address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address ``name`` spells; None for a host name."""
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """Whether the address ``host`` names accepts local connections only."""
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    address = _address(name)
    return address is not None and address.is_loopback


def _host_name(value: str) -> str:
    """The name or address in a ``Host`` header, without its port."""
    if value.startswith("["):  # [::1]:5000
        return value[1 : value.find("]")].lower() if "]" in value else ""
    return value.rsplit(":", 1)[0].lower() if value.count(":") == 1 else value.lower()


class Access:
    """The server's checks of who is calling.

    Args:
        host: The address the server is bound to.
        allowed_hosts: Further ``Host`` names to accept; ``"*"`` accepts any.
        allowed_origins: Browser origins (``https://app.example``) whose
            requests are served; ``"*"`` serves any. None by default.
        token: The token the control API requires; None for none.
    """

    def __init__(
        self,
        host: str,
        allowed_hosts: Iterable[str] = (),
        allowed_origins: Iterable[str] = (),
        token: str | None = None,
    ) -> None:
        self._hosts = {name.lower() for name in allowed_hosts}
        self._hosts.add(host.strip("[]").lower())
        self._origins = {origin.rstrip("/").lower() for origin in allowed_origins}
        self.token = token

    def refusal(self, path: str, headers: Mapping[str, str]) -> tuple[int, str] | None:
        """The status and message to refuse a request with; None to serve it."""
        host = _host_name(headers.get("host", ""))
        # No browser sends a request without Host (only HTTP/1.0 may).
        if host and not self._host_allowed(host):
            return 403, (
                f"Host {headers.get('host')!r} is not this server's: it answers "
                "IP addresses, localhost and the names given with --allow-host "
                "(serve(allowed_hosts=...))."
            )
        origin = headers.get("origin")
        site = headers.get("sec-fetch-site", "none").lower()
        browser = origin is not None or site not in ("none", "same-origin")
        if browser and not self._origin_allowed(origin):
            return 403, (
                f"A browser request (Origin {origin!r}, Sec-Fetch-Site "
                f"{site!r}) is refused: allow its origin with --allow-origin "
                "(serve(allowed_origins=...))."
            )
        if self.token is not None and path.startswith(CONTROL_PREFIXES):
            given = headers.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                what = "a wrong" if given else "no"
                return 401, (
                    f"The control API needs this server's token, and {what} token "
                    f"was sent: send it in the X-SageMaker-Stub-Token header (the "
                    "token is printed at start, or given with --control-token)."
                )
        return None

    def _origin_allowed(self, origin: str | None) -> bool:
        if "*" in self._origins:
            return True
        return origin is not None and origin.rstrip("/").lower() in self._origins

    def _host_allowed(self, host: str) -> bool:
        if "*" in self._hosts or host in self._hosts:
            return True
        return is_loopback(host) or _address(host) is not None

    def forwards(self, headers: Mapping[str, str]) -> str | None:
        """Why a recording server must not forward this request; None if it may.

        Only a signed request is forwarded (a browser cannot sign one), and
        never one from a browser, allowed origin or not.
        """
        if "origin" in headers or "sec-fetch-site" in headers:
            return "it came from a browser (it has an Origin or Sec-Fetch-Site header)"
        if not headers.get("authorization", "").startswith("AWS4-HMAC-SHA256 "):
            return "it is not signed with SigV4 (any key will do; none was sent)"
        return None
