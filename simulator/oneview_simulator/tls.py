"""Certificates for the simulator's HTTPS: a throw-away CA and a server cert signed by it."""

from __future__ import annotations

import datetime
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class ServerCertificate:
    ca_file: Path  # give this to clients as their trusted CA (tls_cacert_file)
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context


def generate(
    hostnames: tuple[str, ...],
    directory: Path | None = None,
    *,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> ServerCertificate:
    """A new CA and a leaf certificate valid for ``hostnames``, written as PEM files.

    ``not_before``/``not_after`` bound the leaf's validity (default: from now on, for years);
    tests pass dates in the past or the future for an expired or not yet valid certificate.
    """
    where = Path(directory or tempfile.mkdtemp(prefix="oneview-simulator-tls-"))
    where.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="OneView simulator CA")
    leaf = ca.issue_cert(
        *hostnames,
        organization_name="OneView simulator",
        not_before=not_before,
        not_after=not_after,
    )
    ca_file, cert_file, key_file = where / "ca.pem", where / "cert.pem", where / "key.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    leaf.private_key_pem.write_to_path(str(key_file))
    cert_file.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    key_file.chmod(0o600)
    return ServerCertificate(ca_file, cert_file, key_file)


def given(cert_file: str, key_file: str, ca_file: str | None = None) -> ServerCertificate:
    """An operator-supplied certificate (``--cert``/``--key``); the CA file is informational."""
    return ServerCertificate(Path(ca_file or cert_file), Path(cert_file), Path(key_file))
