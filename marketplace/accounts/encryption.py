"""Encrypting small secrets at rest (the TOTP secrets of authenticator apps).

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) with a key derived from ``SECRET_KEY`` by HKDF
for this one purpose: a copy of the database alone does not give anyone the second factors. Changing
``MARKETPLACE_SECRET_KEY`` makes the stored secrets unreadable: everyone with a second factor enrols again
(an administrator resets it on the users page).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PURPOSE = b"marketplace second factor secret v1"


class UnreadableSecret(Exception):
    """The stored secret was encrypted under another key (the secret key changed) or altered."""


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        current_app.config["SECRET_KEY"].encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise UnreadableSecret from exc
