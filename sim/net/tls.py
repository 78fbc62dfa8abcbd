"""Certificates as a TLS client checks them: the chain against trusted anchors, the
validity period against the virtual clock, and the host name (SAN, else CN)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Failure:
    """Why verification failed, in the words OpenSSL and curl use."""

    kind: str     # self-signed | unknown-issuer | expired | not-yet-valid | name-mismatch | cn-mismatch
    detail: str = ""


def load_chain(pem: bytes) -> list[x509.Certificate]:
    try:
        return list(x509.load_pem_x509_certificates(pem))
    except ValueError:
        return []


def common_name(cert: x509.Certificate) -> str | None:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else None


def _san(cert: x509.Certificate) -> x509.SubjectAlternativeName | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None


def dns_names(cert: x509.Certificate) -> list[str]:
    san = _san(cert)
    return list(san.get_values_for_type(x509.DNSName)) if san is not None else []


def _wildcard_match(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern == host:
        return True
    if pattern.startswith("*.") and "." in host:
        return host.split(".", 1)[1] == pattern[2:]
    return False


def host_failure(cert: x509.Certificate, host: str) -> Failure | None:
    """curl's check: SAN entries when present (IP or DNS), otherwise the subject CN."""
    san = _san(cert)
    is_ip = True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        is_ip = False
    if san is not None:
        if is_ip:
            if ip in san.get_values_for_type(x509.IPAddress):
                return None
        elif any(_wildcard_match(n, host) for n in san.get_values_for_type(x509.DNSName)):
            return None
        if san.get_values_for_type(x509.DNSName) or is_ip:
            return Failure("name-mismatch", host)
    cn = common_name(cert)
    if cn is not None and _wildcard_match(cn, host):
        return None
    return Failure("cn-mismatch", cn or "")


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except Exception:  # any signature or algorithm mismatch means "not this issuer"
        return False


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def verify(chain: list[x509.Certificate], anchors: list[x509.Certificate], host: str,
           now: datetime) -> Failure | None:
    """Verify the server's chain (leaf first) against ``anchors``, then the host name."""
    if not chain:
        return Failure("unknown-issuer")
    leaf = chain[0]
    clock = _utc(now)
    # Only expiry is checked: certificates made on the reader's machine (openssl in the
    # session) carry the real date, which may lie after the cluster's virtual one.
    for cert in chain:
        if _utc(cert.not_valid_after_utc) < clock:
            return Failure("expired")
    current, remaining = leaf, list(chain[1:])
    for _ in range(10):
        if current in anchors or any(_issued_by(current, a) for a in anchors):
            break
        parent = next((c for c in remaining if _issued_by(current, c)), None)
        if parent is None:
            if current.issuer == current.subject:
                return Failure("self-signed" if current is leaf else "self-signed-in-chain")
            return Failure("unknown-issuer")
        remaining.remove(parent)
        current = parent
    else:
        return Failure("unknown-issuer")
    return host_failure(leaf, host)


def issue(subject_cn: str, names: list[str], issuer: tuple[x509.Certificate, object] | None = None,
          ca: bool = False, organization: str | None = None,
          not_before: datetime | None = None, days: int = 3650,
          ip_names: list[str] | None = None) -> tuple[x509.Certificate, object]:
    """A certificate (and its key) for the simulation's own servers: elliptic-curve keys,
    because they are cheap to make."""
    from datetime import timedelta, timezone

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)]
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    subject = x509.Name(attrs)
    start = not_before or datetime(2020, 1, 1, tzinfo=timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer[0].subject if issuer else subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(start)
               .not_valid_after(start + timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    alternatives: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alternatives += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_names or []]
    if alternatives:
        builder = builder.add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
    signer = issuer[1] if issuer else key
    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519

    algorithm = None if isinstance(signer, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)) \
        else hashes.SHA256()
    cert = builder.sign(signer, algorithm)  # type: ignore[arg-type]
    return cert, key


_MADE: dict[str, tuple[x509.Certificate, object]] = {}


def public_root() -> x509.Certificate:
    """The root every image's CA bundle trusts: it signs the outside sites' certificates."""
    if "root" not in _MADE:
        _MADE["root"] = issue("Simulated Public Root CA", [], ca=True, organization="Simulated Trust Services")
    return _MADE["root"][0]


def site_chain(names: list[str]) -> list[x509.Certificate]:
    public_root()
    key = "site:" + ",".join(names)
    if key not in _MADE:
        _MADE[key] = issue(names[0], names, issuer=_MADE["root"], days=3650)
    return [_MADE[key][0]]


def ingress_fake_certificate() -> list[x509.Certificate]:
    """ingress-nginx's default certificate for hosts without a TLS secret."""
    if "ingress" not in _MADE:
        _MADE["ingress"] = issue("Kubernetes Ingress Controller Fake Certificate", ["ingress.local"],
                                 organization="Acme Co")
    return [_MADE["ingress"][0]]
