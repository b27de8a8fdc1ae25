"""A Docker token service (the ``realm`` of bearer-token auth) served by an ``HttpPeer``.

The real ``docker-registry`` is configured with ``auth.token`` pointing here and trusting ``cert_path``;
it verifies every token's RS256 signature against that certificate (sent in the JWT's ``x5c`` header), the
issuer, the audience (service) and the granted ``access``. The service checks basic credentials and grants
the scopes asked for (``repository:<name>:pull,push``), as Docker's reference token servers do.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
import uuid
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from tests.support.http_peer import HttpPeer, Request, Response

ISSUER = "gennaker-test-issuer"
SERVICE = "gennaker-test-registry"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenService:
    def __init__(
        self, peer: HttpPeer, directory: Path, *, username: str, password: str, lifetime: int = 300
    ) -> None:
        self.peer = peer
        self.username = username
        self.password = password
        self.lifetime = lifetime
        self.issued = 0
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gennaker-test-token-signer")])
        now = dt.datetime.now(dt.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.cert_path = directory / "token-signer.pem"
        self.cert_path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        peer.route("GET", "/token", self._token)

    @property
    def realm(self) -> str:
        return f"{self.peer.url}/token"

    def _jwt(self, subject: str, access: list[dict[str, object]]) -> str:
        header = {
            "typ": "JWT",
            "alg": "RS256",
            "x5c": [base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()],
        }
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": subject,
            "aud": SERVICE,
            "exp": now + self.lifetime,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"

    def _token(self, request: Request, match: re.Match[str]) -> Response:
        expected = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if request.header("authorization") != expected:
            return Response(401, json.dumps({"details": "incorrect username or password"}))
        access: list[dict[str, object]] = []
        for scope in request.query.get("scope", []):
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        self.issued += 1
        token = self._jwt(self.username, access)
        body = {"token": token, "access_token": token, "expires_in": self.lifetime}
        return Response(200, json.dumps(body), {"Content-Type": "application/json"})
