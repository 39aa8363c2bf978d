"""How `serve` serves: waitress, with a deadline for each request's headers, and room for its connections.

Waitress 3.0 closes a connection that has been idle for ``channel_timeout``,
but nothing bounds how long a request's line and headers may take to arrive:
a client that sends a byte every few seconds is never idle, and keeps one of
the ``connection_limit`` slots as long as it likes (slowloris). Waitress has
no setting for that, and no hook for it but its classes. So the deadline is
kept as waitress keeps its idle timeout, in the server's ``maintenance``
(which its main loop calls every ``cleanup_interval``), on a subclass of
its TCP server: the class WebTest subclasses too, which waitress keeps
working for it (see the comment in its ``BaseWSGIServer.__init__``). The
connection's ``parser_class``, a class attribute waitress reads to make each
request, notes when the request's first byte came. Nothing of waitress is
patched; tests/test_serving_limits.py checks the deadline, so an upgrade
that moved these attributes would fail there, not in service.
"""

import ipaddress
import resource
import socket
import time
from collections.abc import Callable, Mapping

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from graph.settings import SettingError

# Open files `serve` needs besides its connections: the store's files, the workers' pipes, logs.
RESERVED_FILES = 1024
# Waitress: a connection holds its socket and, for a large request or response, up to two temporary files.
FILES_PER_CONNECTION = 3
# Where the reverse proxy a public deployment puts in front is kept, tested, in the repository.
PROXY_CONFIG = "deploy/nginx/strategy-graph.conf"


class _TimedRequest(HTTPRequestParser):
    """A request being read, and when its first byte came."""

    def __init__(self, adj: Adjustments) -> None:
        super().__init__(adj)
        self.started = time.monotonic()


class _Channel(HTTPChannel):
    parser_class = _TimedRequest


class HeaderDeadlineServer(TcpWSGIServer):
    """Waitress's TCP server that also closes a connection whose request line and headers take over ``header_timeout`` seconds."""

    channel_class = _Channel

    def __init__(self, application: Callable, header_timeout: float, **kwargs) -> None:
        self.header_timeout = header_timeout
        super().__init__(application, **kwargs)

    def maintenance(self, now: float) -> None:
        """Close idle connections (waitress's own check), then those whose headers are overdue."""
        super().maintenance(now)
        cutoff = time.monotonic() - self.header_timeout
        for channel in self.active_channels.values():
            request = channel.request
            # Like the idle check, never a connection whose earlier request is still being served.
            if request is not None and not request.headers_finished and not channel.requests and request.started < cutoff:
                channel.will_close = True


def create_server(application: Callable, host: str, port: int, settings: Mapping) -> TcpWSGIServer | MultiSocketServer:
    """Waitress's ``create_server`` with HeaderDeadlineServer and the serving settings: one server for each address ``host`` names."""
    adjustments = {
        "host": host, "port": port, "threads": settings["server_threads"],
        "connection_limit": settings["connection_limit"], "channel_timeout": settings["idle_connection_timeout_seconds"],
        # Both deadlines are checked this often; waitress's 30 s would add up to that much to them.
        "cleanup_interval": 1,
        # select() cannot watch a descriptor numbered above 1024, which a high connection_limit reaches; poll() can.
        "asyncore_use_poll": True,
    }
    if settings["trusted_proxy"]:
        # The proxy's scheme (https) makes the URLs the viewer writes, such as /sparql's own; its For, the client's address.
        adjustments.update(trusted_proxy=settings["trusted_proxy"], trusted_proxy_count=1,
                           trusted_proxy_headers={"x-forwarded-proto", "x-forwarded-for"})
    adj = Adjustments(**adjustments)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    socket_map: dict = {}
    servers = [HeaderDeadlineServer(application, settings["request_header_timeout_seconds"], map=socket_map,
                                    dispatcher=dispatcher, adj=adj, sockinfo=sockinfo) for sockinfo in adj.listen]
    if len(servers) == 1:
        return servers[0]
    return MultiSocketServer(socket_map, adj, [(s.effective_host, s.effective_port) for s in servers], dispatcher,
                             servers[0].log_info)


def ensure_open_files(connection_limit: int, fewer: bool = False) -> int:
    """Raise this process's open-file limit to what ``connection_limit`` connections need, within its hard limit.

    Returns the connection limit that fits: ``connection_limit``, or, with
    ``fewer`` and a hard limit too low for it, as many as half the hard limit
    holds (a viewer on a loopback address, which only this machine reaches).
    Raises SettingError, saying what to change, when the hard limit is too low
    and ``fewer`` is not given.
    """
    needed = connection_limit * FILES_PER_CONNECTION + RESERVED_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return connection_limit
    if hard != resource.RLIM_INFINITY and hard < needed:
        if fewer:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            return max(1, hard // (2 * FILES_PER_CONNECTION))
        most = max((hard - RESERVED_FILES) // FILES_PER_CONNECTION, 0)
        raise SettingError(f"connection_limit={connection_limit} needs up to {needed} open files, but this process may open "
                         f"at most {hard} (its hard limit, `ulimit -Hn`); choose --setting connection_limit={most} or less, "
                         f"or raise the hard limit (LimitNOFILE= in a systemd unit, nofile in /etc/security/limits.conf)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return connection_limit


def is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is a loopback address, which only this machine can reach."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
    except (socket.gaierror, UnicodeError):
        return False
    return bool(addresses) and all(ipaddress.ip_address(address.split("%")[0]).is_loopback for address in addresses)


def exposure_warning(host: str, port: int, settings: Mapping) -> str:
    """What anyone who can reach ``host:port`` gets, for an operator about to serve on a non-loopback address."""
    trusted = settings["trusted_hosts"]
    return (f"Warning: {host} is not a loopback address. Anyone who can reach port {port} of this machine gets, with no sign-in:\n"
            "  - every page of the viewer, and its downloads: the whole graph, the ontology, the shapes,"
            " the registers and the gaps as CSV or xlsx;\n"
            "  - the read-only SPARQL endpoint /sparql, where any query runs for up to "
            f"{settings['sparql_time_limit_seconds']:g} s and returns up to {settings['sparql_max_rows']:,} rows;\n"
            "  - and so everything the store holds.\n"
            f"A public deployment puts the tested reverse proxy {PROXY_CONFIG} (in strategy-graph's repository) in front: "
            f"TLS, slow clients cut off, requests limited per client address.\n"
            f"The viewer answers only the host names in trusted_hosts ({trusted}): add the one people use, "
            f"with --setting trusted_hosts={trusted},NAME.")
