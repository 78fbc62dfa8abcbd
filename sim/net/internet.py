"""The small outside world a cluster can reach: a few well-known sites and nothing else.

Each site owns address blocks (as its operator does), so a hand-made Endpoints object
pointing at any address of such a block reaches that site."""

from __future__ import annotations

from dataclasses import dataclass

from sim.net.addresses import in_network


@dataclass(frozen=True)
class Site:
    operator: str                    # example | apple | google: which server answers
    names: tuple[str, ...]           # DNS names (no trailing dot)
    addresses: tuple[str, ...]       # what DNS answers for those names
    blocks: tuple[str, ...]          # every address the operator owns


SITES = (
    Site("example", ("example.com", "www.example.com", "example.net", "example.org"),
         ("93.184.215.14",), ("93.184.215.0/24", "93.184.216.0/24")),
    Site("apple", ("apple.com", "www.apple.com"), ("17.253.144.10",), ("17.0.0.0/8",)),
    Site("google", ("google.com", "www.google.com"), ("142.250.196.110",),
         ("142.250.0.0/15", "172.217.0.0/16", "216.58.192.0/19")),
)


def site_by_name(name: str) -> Site | None:
    name = name.rstrip(".").lower()
    for site in SITES:
        if name in site.names:
            return site
    return None


def site_by_address(ip: str) -> Site | None:
    for site in SITES:
        if any(in_network(ip, block) for block in site.blocks):
            return site
    return None
