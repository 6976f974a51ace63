"""Hosts on one machine: Linux network namespaces on a bridge, each with its own address, and
links between them that a test can cut. The tests' own processes (the clients) stay in the root
namespace, which reaches every host through the bridge."""

import ipaddress
import os
import random
import subprocess
from dataclasses import dataclass, field


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def unavailable() -> str | None:
    """Why this machine cannot make namespaces (not root, no `ip`, not permitted), or None."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"rcprobe{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except FileNotFoundError:
        return "the `ip` command (iproute2) is not installed"
    except subprocess.CalledProcessError as error:
        return f"`ip netns add` is not permitted here: {error.stderr.strip()}"
    _ip("netns", "delete", probe)
    return None


@dataclass
class Host:
    """A namespace with one interface on the bridge."""

    name: str
    namespace: str
    ip: str
    link: str  # its veth's end on the bridge, in the root namespace
    blackholes: list[tuple[str, str]] = field(default_factory=list)  # (namespace, address)

    def command(self, args: list[str]) -> list[str]:
        """`args` run on this host (`ip netns exec` execs it: the pid is the program's)."""
        return ["ip", "netns", "exec", self.namespace, *args]

    def cut_off(self, *others: "Host") -> None:
        """Packets between here and `others` vanish both ways, as across a partition: open
        connections go silent, and nothing tells the far side. Every other host stays reachable."""
        for other in others:
            self._blackhole(self.namespace, other.ip)
            self._blackhole(other.namespace, self.ip)

    def cut_off_address(self, ip: str) -> None:
        """What this host sends to `ip` vanishes (the clients', in the root namespace: the bridge's
        address). Their connections reach it and hang; it never answers."""
        self._blackhole(self.namespace, ip)

    def _blackhole(self, namespace: str, ip: str) -> None:
        _ip("-n", namespace, "route", "add", "blackhole", f"{ip}/32")
        self.blackholes.append((namespace, ip))

    def reconnect(self) -> None:
        """The partition heals: everything cut off from here is reachable again."""
        for namespace, ip in self.blackholes:
            _ip("-n", namespace, "route", "del", "blackhole", f"{ip}/32")
        self.blackholes.clear()


class Network:
    """A bridge with an address in the root namespace, and the hosts on it."""

    def __init__(self) -> None:
        self.token = f"{os.getpid() % 10000:04d}{random.randint(0, 99):02d}"
        subnet = ipaddress.ip_network(f"10.{random.randint(64, 127)}.{random.randint(0, 255)}.0/24")
        self._addresses = subnet.hosts()
        self.bridge = f"rcbr{self.token}"
        self.gateway = str(next(self._addresses))
        self.prefix = subnet.prefixlen
        self.hosts: list[Host] = []
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.gateway}/{self.prefix}", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")

    def host(self, name: str) -> Host:
        index = len(self.hosts)
        namespace, link = f"rc{self.token}-{name}", f"rcv{self.token}{index:02d}"
        host = Host(name, namespace, str(next(self._addresses)), link)
        _ip("netns", "add", namespace)
        _ip("link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        _ip("link", "set", link, "master", self.bridge, "up")
        _ip("-n", namespace, "addr", "add", f"{host.ip}/{self.prefix}", "dev", "eth0")
        _ip("-n", namespace, "link", "set", "eth0", "up")
        _ip("-n", namespace, "link", "set", "lo", "up")
        _ip("-n", namespace, "route", "add", "default", "via", self.gateway)
        self.hosts.append(host)
        return host

    def close(self) -> None:
        for host in self.hosts:
            subprocess.run(["ip", "netns", "delete", host.namespace], check=False, capture_output=True)
            subprocess.run(["ip", "link", "delete", host.link], check=False, capture_output=True)
        subprocess.run(["ip", "link", "delete", self.bridge], check=False, capture_output=True)
