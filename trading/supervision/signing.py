"""The platform's key for the supervision log: Ed25519, derived at the composition root from the
platform secret, so every instance signs with the same key and anyone holding the public key can
check an entry without the database."""

from __future__ import annotations

import base64

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"trading supervision log signing key v1"


class EntrySigner:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key: Ed25519PublicKey = private_key.public_key()

    @classmethod
    def from_secret(cls, secret: str) -> EntrySigner:
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(secret.encode("utf-8"))
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    def sign(self, digest: str) -> str:
        return base64.b64encode(self._key.sign(digest.encode("ascii"))).decode("ascii")

    def verify(self, digest: str, signature: str) -> bool:
        try:
            self.public_key.verify(base64.b64decode(signature), digest.encode("ascii"))
        except (InvalidSignature, ValueError):
            return False
        return True

    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
