"""``/api/v1/ip-assets``: list with IP filters, detail, create, update, submit, withdraw; and the number check."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from ..listings.api import make_listing_resource
from ..listings.models import Side
from ..permissions import public
from ..reference.services import is_active_code
from .fields import NUMBER_MESSAGES
from .numbers import check_application_number, check_certificate_number, wipo_publish_url
from .schemas import IpAssetInput, IpAssetQuery, IpAssetSchema, NumberCheckInput, NumberCheckOutput
from .views import FACETS

blp = Blueprint("ip_assets_api", __name__, url_prefix="/api/v1", description="Intellectual-property assets")


@blp.route("/ip-assets/validate-number")
class ValidateNumber(MethodView):
    @public
    @blp.arguments(NumberCheckInput)
    @blp.response(200, NumberCheckOutput)
    def post(self, body):
        """Check an application (default) or certificate number for a type: 200 with the normalised form, or
        422 with a message saying what form is expected."""
        ip_type = body["type"]
        if not is_active_code("ip_type", ip_type):
            abort(422, message="Unknown type.", code="invalid_type", fields={"type": "Unknown type."})
        checker = check_application_number if body["kind"] == "application" else check_certificate_number
        result = checker(ip_type, body["number"])
        if result.normalised is None or not result.standard:
            message = NUMBER_MESSAGES.get(result.code, NUMBER_MESSAGES["format"]) % {"expected": result.expected}
            abort(422, message=str(message), code=f"number_{result.code}", fields={"number": str(message)})
        return {"type": ip_type, "kind": body["kind"], "raw": body["number"], "normalised": result.normalised,
                "standard": result.standard,
                "office_url": wipo_publish_url(ip_type, result.normalised) if body["kind"] == "application" else None}


make_listing_resource(blp, Side.IP_ASSET.value, IpAssetSchema, IpAssetInput, "ip-assets", query_schema=IpAssetQuery,
                      facets=FACETS)
