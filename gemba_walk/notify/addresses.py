"""The addresses the egress policy refuses: the IANA IPv4 and IPv6 special-purpose registries,
multicast, and IPv6 outside global unicast (2000::/3); loopback, which tests may allow."""

from __future__ import annotations

import ipaddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# IANA IPv4 Special-Purpose Address Registry, plus multicast and the reserved class E.
DENIED_V4 = [
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space (CGNAT; 100.100.100.200 is a cloud's metadata)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local (169.254.169.254: cloud metadata)
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation (TEST-NET-1)
        "192.31.196.0/24",  # AS112-v4
        "192.52.193.0/24",  # AMT
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",  # private
        "192.175.48.0/24",  # direct delegation AS112
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation (TEST-NET-2)
        "203.0.113.0/24",  # documentation (TEST-NET-3)
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved (and 255.255.255.255, limited broadcast)
    )
]
# IANA IPv6 Special-Purpose Address Registry, plus multicast, link- and site-local.
DENIED_V6 = [
    ipaddress.ip_network(net)
    for net in (
        "::/96",  # unspecified, loopback, IPv4-compatible (deprecated)
        "::ffff:0:0/96",  # IPv4-mapped
        "64:ff9b::/96",  # NAT64 well-known prefix
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "100:0:0:1::/64",  # dummy prefix
        "2001::/23",  # IETF protocol assignments (Teredo 2001::/32, benchmarking 2001:2::/48…)
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4
        "2620:4f:8000::/48",  # direct delegation AS112
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
]
GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]


def denied(address: Address) -> bool:
    """True for every special-purpose address; only public unicast addresses are fetched."""
    if isinstance(address, ipaddress.IPv6Address):
        return address not in GLOBAL_UNICAST_V6 or any(address in net for net in DENIED_V6)
    return any(address in net for net in DENIED_V4)


def ip_literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0] if ":" in host else host)
    except ValueError:
        return None


def is_loopback(address: Address) -> bool:
    return any(address in net for net in LOOPBACK)
