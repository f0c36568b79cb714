"""A stand-in OpenID Connect issuer: keys made in the test, its JWKS served by a real HTTP
server on 127.0.0.1 (a free port), and tokens signed as the company's provider would."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://sso.test.local/realms/ammc"
AUDIENCE = "appeals-api"

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(kid: str, key: SigningKey) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPrivateKey):
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    else:
        jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "use": "sig"}


@dataclass
class Issuer:
    """Publishes `published` (kid -> key) at `jwks_url`; counts the fetches."""

    published: dict[str, SigningKey] = field(default_factory=dict)
    fetches: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def jwks_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"

    def start(self) -> Issuer:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.fetches += 1
                body = json.dumps(
                    {"keys": [public_jwk(k, v) for k, v in issuer.published.items()]}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def settings(self) -> dict[str, object]:
        """The APPEALS_OIDC_* settings of an app that trusts this issuer."""
        return {
            "oidc_issuer": ISSUER,
            "oidc_audience": AUDIENCE,
            "oidc_jwks_url": self.jwks_url,
            "oidc_jwks_min_refresh_seconds": 0.0,
        }


def token(
    key: SigningKey,
    kid: str,
    *,
    now: datetime,
    sub: str = "u-1001",
    name: str = "Karimova Dilnoza Anvarovna",
    role: str | None = "registrar",
    unit: str | None = None,
    lifetime: int = 300,
    algorithm: str | None = None,
    **claims: Any,
) -> str:
    """A token as the provider signs it, valid `lifetime` seconds from `now`; `claims` change
    or add to the standard ones."""
    iat = int(now.timestamp())
    payload: dict[str, Any] = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": sub, "name": name, "iat": iat, "nbf": iat,
        "exp": iat + lifetime,
    }  # fmt: skip
    if role is not None:
        payload["appeals_role"] = role
    if unit is not None:
        payload["appeals_unit"] = unit
    payload.update(claims)
    alg = algorithm or ("RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256")
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})
