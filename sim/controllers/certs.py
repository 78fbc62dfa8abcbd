"""The cluster's CA certificate, made deterministically from the cluster's seed."""

from __future__ import annotations

from datetime import timedelta

from .base import ClusterView


def cluster_ca_pem(cluster: ClusterView) -> str:
    """A self-signed ``kubernetes`` CA; Ed25519 signatures are deterministic, so the same
    seed always gives the same certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.x509.oid import NameOID

    seed = cluster.rng.getrandbits(256).to_bytes(32, "big")
    key = Ed25519PrivateKey.from_private_bytes(seed)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
    start = cluster.clock.now()
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(cluster.rng.getrandbits(63) + 1)
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=True, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(key, None))
    cluster.state["root_ca_key"] = key
    return cert.public_bytes(serialization.Encoding.PEM).decode()
