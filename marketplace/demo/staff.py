"""Two-step verification of the demo's DOST staff, so a local demo can be walked through at once.

Staff must use a second factor. The demo's staff accounts are enrolled with one published secret
(:data:`DEMO_TOTP_SECRET`): add it to an authenticator app, or print the current code with
``flask --app marketplace seed demo-code``. Never in production: there, staff enrol themselves.
"""

from __future__ import annotations

import pyotp

from ..accounts.encryption import decrypt, encrypt
from ..accounts.models import SecondFactor, User
from ..extensions import db
from ..timeutil import utcnow

#: base32, published in the README: only for demo accounts on a development machine
DEMO_TOTP_SECRET = "CHOCONGNGHESOHUNGYENDEMO"


def enrol_demo_staff(users: list[User]) -> int:
    """Give each staff account without a second factor the demo secret (confirmed); the number enrolled."""
    enrolled = 0
    for user in users:
        if not user.is_staff or user.second_factor is not None:
            continue
        user.second_factor = SecondFactor(user_id=user.id, secret_encrypted=encrypt(DEMO_TOTP_SECRET),
                                          confirmed_at=utcnow())
        enrolled += 1
    db.session.flush()
    return enrolled


def demo_code(user: User) -> str | None:
    """The current code of a staff account enrolled with the demo secret (None for any other account)."""
    factor = user.second_factor
    if factor is None or decrypt(factor.secret_encrypted) != DEMO_TOTP_SECRET:
        return None
    return pyotp.TOTP(DEMO_TOTP_SECRET).now()
