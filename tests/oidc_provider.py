"""A local OpenID Connect provider for the tests, on 127.0.0.1: no outside service.

It speaks the authorization-code flow as Google, Okta, Entra ID or Keycloak do for st.login,
and is as strict as they are: discovery document; an authorize page (the "account chooser",
where a person types their address) that refuses an unknown client, an unregistered
redirect URI, a request without a nonce or without PKCE S256; a token endpoint that checks
the grant type, the client, the code (one use, ten minutes) and the code verifier; ID tokens
signed RS256 with a key published at jwks_uri; and userinfo. Tokens are signed with
joserfc, the JOSE library Authlib (which st.login uses) is built on.

    with OidcProvider(client_id="sla", client_secret="s") as provider:
        provider.metadata_url  # -> [auth] server_metadata_url
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey


class OidcProvider:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        redirect_uris: tuple[str, ...],
        unverified: tuple[str, ...] = (),
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = redirect_uris  # registered with the client, as real providers ask
        self.unverified = {e.lower() for e in unverified}  # addresses it will not vouch for
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.codes: dict[str, dict] = {}  # one-time authorization codes
        self.requests: list[dict] = []  # every authorization request, as the app sent it
        self.tokens: dict[str, dict] = {}  # access token -> claims
        self.signed_in: list[str] = []  # every address a code was issued for, in order
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def __enter__(self) -> OidcProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def claims(self, email: str, nonce: str | None) -> dict:
        now = int(time.time())
        found = {
            "iss": self.issuer,
            "sub": hashlib.sha256(email.lower().encode()).hexdigest()[:20],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 3600,
            "email": email,
            "email_verified": email.lower() not in self.unverified,
            "name": email.split("@")[0].title(),
        }
        if nonce:
            found["nonce"] = nonce
        return found

    def id_token(self, claims: dict) -> str:
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)


def _handler(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet: pytest shows failures, not traffic
            pass

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/.well-known/openid-configuration":
                self._json(provider.metadata())
            elif url.path == "/jwks":
                self._json({"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                self._authorize_page(query)
            elif url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                claims = provider.tokens.get(token)
                self._json(claims or {"error": "invalid_token"}, 200 if claims else 401)
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            if url.path == "/authorize":
                self._issue_code(form)
            elif url.path == "/token":
                self._token(form)
            else:
                self._json({"error": "not_found"}, 404)

        def _authorize_page(self, query: dict) -> None:
            provider.requests.append(query)
            problem = (
                "unauthorized_client" if query.get("client_id") != provider.client_id
                else "unsupported_response_type" if query.get("response_type") != "code"
                else "invalid_request: redirect_uri" if query.get("redirect_uri")
                not in provider.redirect_uris
                else "invalid_request: nonce" if not query.get("nonce")
                else "invalid_request: PKCE S256" if query.get("code_challenge_method") != "S256"
                or not query.get("code_challenge")
                else "invalid_scope" if "openid" not in query.get("scope", "").split()
                else None
            )  # fmt: skip
            if problem:
                self._json({"error": problem}, 400)
                return
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in query.items()
            )
            page = (
                "<!doctype html><title>Test identity provider</title>"
                "<h1>Test identity provider</h1>"
                f'<form method="post" action="/authorize">{hidden}'
                '<label>E-mail <input name="email" type="email" autofocus></label>'
                '<button type="submit">Continue</button></form>'
            )
            self._send(200, "text/html; charset=utf-8", page.encode())

        def _issue_code(self, form: dict) -> None:
            code = secrets.token_urlsafe(24)
            provider.codes[code] = {**form, "issued": time.monotonic()}
            provider.signed_in.append(form["email"])
            back = {"code": code, "state": form.get("state", "")}
            target = form["redirect_uri"] + "?" + urllib.parse.urlencode(back)
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()

        def _token(self, form: dict) -> None:
            client_id, secret = form.get("client_id"), form.get("client_secret")
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                pair = base64.b64decode(basic.removeprefix("Basic ")).decode()
                client_id, _, secret = (urllib.parse.unquote(p) for p in pair.partition(":"))
            if (client_id, secret) != (provider.client_id, provider.client_secret):
                self._json({"error": "invalid_client"}, 401)
                return
            if form.get("grant_type") != "authorization_code":
                self._json({"error": "unsupported_grant_type"}, 400)
                return
            asked = provider.codes.pop(form.get("code", ""), None)  # one use only
            if (
                asked is None
                or time.monotonic() - asked["issued"] > 600
                or asked.get("redirect_uri") != form.get("redirect_uri")
            ):
                self._json({"error": "invalid_grant"}, 400)
                return
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if digest.decode() != asked["code_challenge"]:
                self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
                return
            claims = provider.claims(asked["email"], asked.get("nonce"))
            access = secrets.token_urlsafe(24)
            provider.tokens[access] = claims
            self._json({"access_token": access, "token_type": "Bearer", "expires_in": 3600,
                        "scope": asked.get("scope", "openid"),
                        "id_token": provider.id_token(claims)})  # fmt: skip

        def _json(self, body: dict, status: int = 200) -> None:
            self._send(status, "application/json", json.dumps(body).encode())

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler
