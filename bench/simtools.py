"""Tools the scale benchmark adds to its cluster (``SIM_TOOLS_EXTRA``): room for many pods,
and virtual time passing at once instead of command by command."""

from __future__ import annotations

import ipaddress


def add_nodes(cluster, argv: list[str], io) -> int:
    """``bench-nodes N``: N more Ready workers, each with its own pod range and address,
    built as the cluster's bootstrap builds its nodes."""
    from sim.controllers.bootstrap import build_node

    count = int(argv[1])
    with cluster.lock:
        nodes = cluster.store.list("nodes")
        taken_ranges = {node["spec"].get("podCIDR") for node in nodes}
        internal = max(ipaddress.ip_address(a["address"]) for node in nodes
                       for a in node["status"]["addresses"] if a["type"] == "InternalIP")
        net = cluster.profile.get("network", {})
        ranges = (str(r) for r in ipaddress.ip_network(net.get("pod_cidr", "10.244.0.0/16"))
                  .subnets(new_prefix=int(net.get("node_cidr_bits", 24))) if str(r) not in taken_ranges)
        group = {"name": "bench-worker-{i}", "role": "worker"}
        for i in range(1, count + 1):
            internal += 1
            entry = {"group": group, "i": i, "hex8": "00000000", "rand4": "0000"}
            cluster.store.create(build_node(cluster, entry, str(internal), None, next(ranges)))
        cluster.reconcile()
    io.write_out(f"{count} nodes added\n")
    return 0


def settle(cluster, argv: list[str], io) -> int:
    """``bench-settle SECONDS``: let that much virtual time pass; print how many pods run."""
    seconds = float(argv[1])
    with cluster.lock:
        cluster.run_for(seconds)
        pods = cluster.store.list("pods", "default")
        running = sum(1 for pod in pods if pod.get("status", {}).get("phase") == "Running")
    io.write_out(f"pods={len(pods)} running={running}\n")
    return 0
