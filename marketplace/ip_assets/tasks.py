"""Queue jobs for IP assets: renewal reminders (marks and designs) in the renewal window and the grace period.

Each reminder is mailed once per term (ReminderSent keyed by kind and expiry date), to the person who
registered the asset.
"""

from __future__ import annotations

from huey import crontab
from sqlalchemy import select

from ..extensions import db
from ..listings.models import Listing, Side, Status
from ..listings.tasks import remind_once
from ..tasks import periodic_task
from ..timeutil import utcnow
from .models import IpAssetDetails
from .terms import compute_term, in_grace_period, in_renewal_window


def check_renewals(today=None) -> int:
    """Remind owners of renewable IP (marks, designs) in the 6 months before expiry and in the grace period."""
    today = today or utcnow().date()
    sent = 0
    rows = db.session.execute(
        select(Listing, IpAssetDetails).join(IpAssetDetails, IpAssetDetails.listing_id == Listing.id)
        .where(Listing.side == Side.IP_ASSET.value, Listing.status.in_([Status.PUBLISHED.value, Status.EXPIRED.value]),
               IpAssetDetails.legal_status == "granted")).all()
    for listing, ip in rows:
        term = compute_term(ip.ip_type, filing_date=ip.filing_date, grant_date=ip.grant_date,
                            first_use_date=ip.first_use_date, creation_date=ip.creation_date,
                            renewals=ip.renewals or 0, woody=bool(ip.woody))
        if not term.renewable or term.expiry is None or ip.expiry_override:
            continue
        if in_renewal_window(term, today):
            sent += remind_once(listing, "ip_renewal", term.expiry, template="ip_renewal",
                                expiry=term.expiry.isoformat(), until=term.expiry.isoformat())
        elif in_grace_period(term, today) and term.grace_until is not None:
            sent += remind_once(listing, "ip_grace", term.expiry, template="ip_renewal",
                                expiry=term.expiry.isoformat(), until=term.grace_until.isoformat())
    db.session.commit()
    return sent


@periodic_task(crontab(hour="1", minute="45"))
def daily_renewals() -> None:
    check_renewals()


def connect() -> None:
    """Called by ``create_app`` with the other domains' ``connect()``. IP assets add no outbox effect of their
    own: they are listings, indexed and matched by the listing effects. Their one job, ``daily_renewals``
    above, is declared with this module like every periodic job, so the worker runs it."""
