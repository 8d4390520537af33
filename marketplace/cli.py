"""Flask CLI: ``seed demo``, ``create-admin``, ``users create``, ``reference load``, ``worker``.

Every command that changes data runs as one unit of work (:func:`unit_of_work`): committed at the end, or
rolled back with the refusal printed as ``Error: …`` and a non-zero exit status.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from huey.consumer import Consumer
from sqlalchemy import func, select

from .accounts.models import User
from .accounts.services import create_api_token, create_user, find_organisation
from .accounts.services.organisations import add_member
from .demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from .demo.staff import DEMO_TOTP_SECRET, demo_code
from .errors import ServiceError
from .extensions import db
from .outbox.tasks import start_poller
from .permissions import DEFAULT_SCOPES, SCOPES, Role
from .reference.services import load_reference_data
from .search import reindex_all
from .tasks import huey


def _read_password(prompt: bool) -> str:
    if sys.stdin.isatty() and prompt:
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@contextmanager
def unit_of_work(refusals: tuple[type[Exception], ...] = (ServiceError,)) -> Iterator[None]:
    """The CLI's one idiom for changing data: commit when the block ends, or roll back and exit with the
    refusal's message (a ``ServiceError``, or any of ``refusals``)."""
    try:
        yield
    except refusals as exc:
        db.session.rollback()
        raise click.ClickException(getattr(exc, "message", None) or str(exc)) from exc
    db.session.commit()


seed = AppGroup("seed", help="Load data.")
users = AppGroup("users", help="Manage user accounts.")
reference = AppGroup("reference", help="Reference code lists.")
search = AppGroup("search", help="The search index.")


@seed.command("demo")
@click.option("--password", default=None, help="Password for every demo account (default: the README's).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo_command(password: str | None, if_empty: bool) -> None:
    """Demo accounts and organisations (idempotent: existing demo data is kept)."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Database not empty: demo data not loaded.")
        return
    production = current_app.config["ENV_NAME"] == "production"
    with unit_of_work(refusals=(Exception,)):  # whatever stops the seeding, nothing of it is kept
        created = seed_demo(password or DEMO_PASSWORD, enrol_staff=not production)
    click.echo(f"Demo data: {created}")
    click.echo(f"Demo accounts (password: {password or DEMO_PASSWORD}):")
    for email, _name, role, _org in DEMO_ACCOUNTS:
        click.echo(f"  {email:28} {role}")
    if not production:
        click.echo(f"Staff sign in with a second factor: demo secret {DEMO_TOTP_SECRET} "
                   "(or: flask --app marketplace seed demo-code)")


@seed.command("demo-code")
def demo_code_command() -> None:
    """Print the current two-step verification code of each demo staff account."""
    for email, _name, _role, _org in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        code = demo_code(user) if user is not None else None
        if code:
            click.echo(f"{email:28} {code}")


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="DOST administrator")
def create_admin_command(email: str, name: str) -> None:
    """Create a DOST admin; the password is read from a prompt or stdin."""
    password = _read_password(prompt=True)
    with unit_of_work():
        user = create_user(email=email, password=password, full_name=name, role=Role.ADMIN.value, verified=True)
    click.echo(f"Admin {user.email} created.")


@users.command("create")
@click.argument("emails", nargs=-1, required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value)
@click.option("--organisation", "org_ref", default=None, help="Organisation id, slug or tax code to join.")
@click.option("--verified", is_flag=True, help="Mark the email addresses as verified.")
@click.option("--token", is_flag=True, help="Print an API token per user: one 'EMAIL TOKEN' line each.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(list(SCOPES)),
              help=f"A scope of the --token (repeat for several; default: {' '.join(DEFAULT_SCOPES)}).")
def users_create_command(emails, role, org_ref, verified, token, scopes) -> None:
    """Create accounts (DOST staff, bulk onboarding, integrations). Password read from stdin, used for all.

    Staff created here sign in on the website and set up two-step verification at their first sign-in; a
    --token made here is the operator's decision and needs no second factor."""
    if scopes and not token:
        raise click.UsageError("--scope needs --token.")
    password = _read_password(prompt=True)
    org = None
    if org_ref:
        org = find_organisation(org_ref)
        if org is None:
            raise click.ClickException(f"No organisation matches {org_ref!r}.")
    lines = []
    with unit_of_work():
        for email in emails:
            user = create_user(email=email, password=password, full_name=email.split("@")[0], role=role,
                               verified=verified)
            if org is not None:
                add_member(org, user, by=None)
            if token:
                _t, secret = create_api_token(user, "cli", scopes=scopes or DEFAULT_SCOPES)
                lines.append(f"{user.email} {secret}")
            else:
                lines.append(f"{user.email} created")
    click.echo("\n".join(lines))


@reference.command("load")
@click.option("--scheme", default=None)
def reference_load_command(scheme: str | None) -> None:
    """Load or refresh reference codes from the data files (admin edits are kept)."""
    with unit_of_work():
        counts = load_reference_data(scheme)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


@search.command("reindex")
def search_reindex_command() -> None:
    """Rebuild the search index from the database (run it where the worker runs)."""
    count = reindex_all()
    click.echo(f"Indexed {count} documents.")


@click.command("worker")
@click.option("--workers", default=2, show_default=True)
def worker_command(workers: int) -> None:
    """Run the job-queue consumer (huey: periodic jobs) and the outbox poller (derived effects)."""
    consumer = Consumer(huey, workers=workers, worker_type="thread", periodic=True, check_worker_health=True)
    _thread, stop = start_poller(current_app._get_current_object())
    click.echo(f"Worker started ({type(huey).__name__}, {workers} threads, outbox poller).")
    try:
        consumer.run()
    finally:
        stop.set()


def init_app(app: Flask) -> None:
    for command in (seed, users, reference, search, create_admin_command, worker_command):
        app.cli.add_command(command)
