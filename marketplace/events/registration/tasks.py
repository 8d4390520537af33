"""Queue jobs for registrations: the mail of each status change (with the ticket), and offers that expire."""

from __future__ import annotations

from flask_babel import force_locale
from huey import crontab

from ...extensions import db
from ...mail.tasks import deliver, render_mail
from ...outbox import tasks as outbox
from ...outbox.models import OutboxItem
from ...tasks import periodic_task
from ...urls import external_url
from ..labels import PARTICIPANT_LABELS
from ..tickets import event_ics, qr_png
from .labels import REG_STATUS_LABELS
from .models import Registration, RegStatus
from .services import expire_offers, waitlist_position

#: statuses that send the person a mail
MAILED = (RegStatus.CONFIRMED.value, RegStatus.WAITLISTED.value, RegStatus.PENDING_APPROVAL.value,
          RegStatus.OFFERED.value, RegStatus.REJECTED.value, RegStatus.CANCELLED.value, RegStatus.EXPIRED.value)


def send_registration_mail(payload: dict, item: OutboxItem) -> None:
    """The ``events.registration_mail`` effect (``{"id", "status"}``): one mail per status change; a
    confirmation carries the QR ticket (PNG) and the event (ICS)."""
    status = payload["status"]
    reg = db.session.get(Registration, payload["id"])
    if reg is None or reg.status != status or status not in MAILED or reg.user is None or not reg.user.is_active:
        return  # superseded by a later change, or nobody to tell
    locale = reg.user.locale or "vi"
    event = reg.event
    with force_locale(locale):
        context = {
            "name": reg.full_name, "status": status, "status_label": str(REG_STATUS_LABELS[status]),
            "type_label": str(PARTICIPANT_LABELS.get(reg.participant_type, reg.participant_type)),
            "title": event.title(locale), "venue": ", ".join(filter(None, [event.venue, event.address])),
            "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat(),
            "event_url": external_url("events.detail", slug=event.slug),
            "mine_url": external_url("event_registration.mine"),
            "ticket_token": reg.ticket_token if status == RegStatus.CONFIRMED.value else None,
            "position": waitlist_position(reg),
            "offer_url": external_url("event_registration.confirm_offer", token=reg.offer_token)
            if reg.offer_token else None,
            "offer_expires_at": reg.offer_expires_at.isoformat() if reg.offer_expires_at else None,
        }
    subject, body = render_mail("event_registration", locale, context)
    attachments = []
    if status == RegStatus.CONFIRMED.value and reg.ticket_token:
        attachments.append(("ticket.png", "image/png", qr_png(reg.ticket_token)))
        attachments.append((f"{event.slug}.ics", "text/calendar", event_ics(event, locale)))
    deliver(item, reg.email, subject, body, attachments)


@periodic_task(crontab(minute="*"))
def expire_waitlist_offers() -> None:
    """Every minute: offered places not confirmed in time pass to the next person on the waitlist."""
    if expire_offers():
        db.session.commit()


def connect() -> None:
    """Called through ``events.tasks.connect``: the registration mail effect."""
    outbox.register("events.registration_mail", send_registration_mail)
