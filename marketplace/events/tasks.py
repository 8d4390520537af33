"""Queue jobs for events: search indexing, registration mail with the ticket, expiry of waitlist offers."""

from __future__ import annotations

from flask_babel import force_locale
from huey import crontab
from sqlalchemy import select

from ..extensions import db
from ..mail.tasks import deliver, render_mail
from ..outbox import tasks as outbox
from ..outbox.models import OutboxItem
from ..outbox.services import add_effect
from ..search import SearchDocument, get_engine, register_source
from ..signals import event_changed
from ..tasks import periodic_task
from ..urls import external_url
from .labels import PARTICIPANT_LABELS, REG_STATUS_LABELS
from .models import Event, EventStatus, Registration, RegStatus
from .tickets import event_ics, qr_png

SEARCHABLE = (EventStatus.PUBLISHED.value, EventStatus.REGISTRATION_CLOSED.value, EventStatus.FINISHED.value)


def document_id(event_id: int) -> str:
    return f"event:{event_id}"


def to_document(event: Event) -> SearchDocument:
    return SearchDocument(
        id=document_id(event.id), type="event", kind=event.type, reference=event.slug, title=event.title_vi,
        title_en=event.title_en or "", summary=", ".join(filter(None, [event.venue, event.address])),
        body=" ".join(filter(None, [event.description_vi, event.description_en,
                                    " ".join(i.title_vi for i in event.sessions)])),
        org_name="", keywords=[], st_fields=[], sectors=[], province=event.province_code, trl=None, price_type=None,
        tt_forms=[], published_at=event.published_at or event.created_at, deadline=event.starts_at.date())


def index_event(payload: dict, _item=None) -> None:
    """The ``events.index`` effect: upsert a published event's document, remove any other."""
    event_id = payload["id"]
    event = db.session.get(Event, event_id)
    engine = get_engine()
    if event is not None and event.status in SEARCHABLE:
        engine.index([to_document(event)])
    else:
        engine.remove([document_id(event_id)])


def _queue_index(event: Event, **_kwargs) -> None:
    add_effect("events.index", {"id": event.id}, key=event.id)


def _event_documents():
    return (to_document(e) for e in db.session.scalars(select(Event).where(Event.status.in_(SEARCHABLE))))




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
    from .services import waitlist_position

    with force_locale(locale):
        context = {
            "name": reg.full_name, "status": status, "status_label": str(REG_STATUS_LABELS[status]),
            "type_label": str(PARTICIPANT_LABELS.get(reg.participant_type, reg.participant_type)),
            "title": event.title(locale), "venue": ", ".join(filter(None, [event.venue, event.address])),
            "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat(),
            "event_url": external_url("events.detail", slug=event.slug),
            "mine_url": external_url("events.mine"),
            "ticket_token": reg.ticket_token if status == RegStatus.CONFIRMED.value else None,
            "position": waitlist_position(reg),
            "offer_url": external_url("events.confirm_offer", token=reg.offer_token) if reg.offer_token else None,
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
    from .services import expire_offers

    if expire_offers():
        db.session.commit()


def connect() -> None:
    """Called by ``create_app``: index and mail effects, the event source of a rebuild, the change receiver."""
    outbox.register("events.index", index_event)
    outbox.register("events.registration_mail", send_registration_mail)
    register_source("events", _event_documents)
    event_changed.connect(_queue_index)
