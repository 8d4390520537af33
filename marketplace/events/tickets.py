"""What a participant carries: the QR ticket (PNG) and calendar files (ICS) for events and agendas."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import qrcode
from icalendar import Calendar
from icalendar import Event as IcsEvent
from qrcode.constants import ERROR_CORRECT_M

from ..urls import external_url
from .models import Event


def qr_png(token: str, *, box_size: int = 8) -> bytes:
    """The ticket's QR code: it carries the bare token (a scanner or a person can type it too)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    qr.add_data(token)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class CalendarEntry:
    uid: str
    starts_at: datetime  # naive UTC
    ends_at: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def calendar_bytes(entries: Iterable[CalendarEntry], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Cho cong nghe so//events//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = datetime.now(UTC)
    for entry in entries:
        item = IcsEvent()
        item.add("uid", entry.uid)
        item.add("dtstamp", stamp)
        item.add("dtstart", _utc(entry.starts_at))
        item.add("dtend", _utc(entry.ends_at))
        item.add("summary", entry.summary)
        if entry.location:
            item.add("location", entry.location)
        if entry.description:
            item.add("description", entry.description)
        if entry.url:
            item.add("url", entry.url)
        cal.add_component(item)
    return cal.to_ical()


def event_entry(event: Event, locale: str | None = "vi") -> CalendarEntry:
    location = ", ".join(filter(None, [event.venue, event.address]))
    url = external_url("events.detail", slug=event.slug)
    return CalendarEntry(uid=f"event-{event.id}@cho-cong-nghe", starts_at=event.starts_at, ends_at=event.ends_at,
                         summary=event.title(locale), location=location,
                         description=f"{event.description(locale)[:1000]}\n\n{url}".strip(), url=url)


def event_ics(event: Event, locale: str | None = "vi") -> bytes:
    return calendar_bytes([event_entry(event, locale)], name=event.title(locale))
