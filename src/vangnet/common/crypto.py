"""Field-level encryption of identifying numbers at rest (AVG art. 9; issue 10 §8).

The BSN is stored as a Fernet token (AES-128-CBC with HMAC-SHA256, from the well-kept
`cryptography` package), never as digits. Keys come from the environment: `VANGNET_FIELD_KEYS` is
a comma-separated list of Fernet keys; the first encrypts, all of them decrypt, so a key is
rotated by putting a new key first, running `python -m vangnet rotate_field_keys` (re-encrypts
every value with the first key) and then dropping the old key (docs/security.md). The demo and
the tests derive one key from the secret key; production settings refuse to start without keys.
Matching and search never decrypt: they use the keyed hash kept beside the token.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _keys() -> list[bytes]:
    configured = [k.strip() for k in getattr(settings, "VANGNET_FIELD_KEYS", []) if k.strip()]
    if configured:
        return [k.encode() for k in configured]
    derived = hashlib.sha256(f"vangnet-field-key:{settings.SECRET_KEY}".encode()).digest()
    return [base64.urlsafe_b64encode(derived)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _keys()])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        # Never show the stored value: say which configuration is wrong.
        raise ValueError(
            "Een versleuteld veld kan met de ingestelde sleutels (VANGNET_FIELD_KEYS) niet worden "
            "ontsleuteld."
        ) from exc


def rotate(token: str) -> str:
    """The same value encrypted with the first (newest) key."""
    return _fernet().rotate(token.encode()).decode() if token else ""
