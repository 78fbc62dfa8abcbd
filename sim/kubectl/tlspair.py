"""The checks of Go's tls.X509KeyPair, which ``kubectl create secret tls`` runs."""

from __future__ import annotations

import base64
import binascii
import re

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from sim.kubectl.errors import fail

_BLOCK = re.compile(rb"-----BEGIN ([^\r\n-]*)-----\r?\n(.*?)-----END \1-----", re.S)


def pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    """(type, DER) for each well-formed PEM block, as encoding/pem.Decode finds them."""
    out = []
    for m in _BLOCK.finditer(data):
        body = b"".join(line.strip() for line in m.group(2).splitlines()
                        if b":" not in line)
        try:
            der = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            continue
        out.append((m.group(1).decode("latin-1"), der))
    return out


def check_key_pair(cert_pem: bytes, key_pem: bytes) -> None:
    blocks = pem_blocks(cert_pem)
    certs = [der for kind, der in blocks if kind == "CERTIFICATE"]
    skipped = [kind for kind, _ in blocks if kind != "CERTIFICATE"]
    if not certs:
        if not skipped:
            raise fail("tls: failed to find any PEM data in certificate input")
        if len(skipped) == 1 and skipped[0].endswith("PRIVATE KEY"):
            raise fail("tls: failed to find certificate PEM data in certificate input, but did "
                       "find a private key; PEM inputs may have been switched")
        raise fail('tls: failed to find "CERTIFICATE" PEM block in certificate input after '
                   f"skipping PEM blocks of the following types: [{' '.join(skipped)}]")
    key_der = None
    skipped = []
    for kind, der in pem_blocks(key_pem):
        if kind == "PRIVATE KEY" or kind.endswith(" PRIVATE KEY"):
            key_der = der
            break
        skipped.append(kind)
    if key_der is None:
        if not skipped:
            raise fail("tls: failed to find any PEM data in key input")
        if skipped == ["CERTIFICATE"]:
            raise fail("tls: found a certificate rather than a key in the PEM for the private key")
        raise fail('tls: failed to find PEM block with type ending in "PRIVATE KEY" in key '
                   f"input after skipping PEM blocks of the following types: [{' '.join(skipped)}]")
    try:
        cert = x509.load_der_x509_certificate(certs[0])
        public = cert.public_key()
    except ValueError:
        raise fail("x509: malformed certificate") from None
    try:
        private = serialization.load_der_private_key(key_der, password=None)
    except (ValueError, TypeError):
        raise fail("tls: failed to parse private key") from None
    pairs = ((rsa.RSAPublicKey, rsa.RSAPrivateKey), (ec.EllipticCurvePublicKey,
             ec.EllipticCurvePrivateKey), (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey))
    for pub_type, priv_type in pairs:
        if isinstance(public, pub_type):
            if not isinstance(private, priv_type):
                raise fail("tls: private key type does not match public key type")
            mine = private.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
            theirs = public.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
            if mine != theirs:
                raise fail("tls: private key does not match public key")
            return
    raise fail("tls: unknown public key algorithm")
