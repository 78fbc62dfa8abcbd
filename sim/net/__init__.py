"""The cluster's network: addresses, routing, DNS, TLS, HTTP servers, ingress, policy."""
