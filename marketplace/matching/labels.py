"""Reasons of a match in words (Vietnamese first); codes stay stable in the API."""

from __future__ import annotations

from flask_babel import gettext as _

from ..formatting import format_vnd
from ..reference.services import label_for


def reason_text(reason: dict) -> str:
    code = reason.get("code")
    if code == "terms":
        return _("Both are about: %(terms)s", terms=", ".join(reason["terms"]))
    if code == "st_fields":
        return _("Same S&T field: %(fields)s", fields="; ".join(label_for("st_field", c) for c in reason["codes"]))
    if code == "sectors":
        return _("Same sector: %(sectors)s", sectors="; ".join(label_for("vsic", c) for c in reason["codes"]))
    if code == "trl_ok":
        return _("TRL %(trl)d meets the required minimum %(min)d", trl=reason["trl"], min=reason["min"])
    if code == "trl_low":
        return _("TRL %(trl)d is below the required minimum %(min)d", trl=reason["trl"], min=reason["min"])
    if code == "forms":
        return _("Cooperation wanted is offered: %(forms)s",
                 forms="; ".join(label_for("cooperation_form", c) for c in reason["codes"]))
    if code == "budget_ok":
        return _("Price %(price)s within the budget of %(budget)s", price=format_vnd(reason["price"]),
                 budget=format_vnd(reason["budget"]))
    if code == "budget_high":
        return _("Price %(price)s above the budget of %(budget)s", price=format_vnd(reason["price"]),
                 budget=format_vnd(reason["budget"]))
    if code == "province":
        return _("Same province: %(province)s", province=label_for("province", reason["code_value"]))
    return code or ""
