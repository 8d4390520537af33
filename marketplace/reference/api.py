"""``/api/v1/reference/{scheme}``: the active codes of a reference scheme."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from ..permissions import public
from .services import SCHEMES, list_codes

blp = Blueprint("reference_api", __name__, url_prefix="/api/v1/reference",
                description="Reference code lists (provinces, communes, S&T fields, VSIC sections)")


class CodeSchema(Schema):
    code = fields.String()
    parent = fields.String(attribute="parent_code", allow_none=True)
    level = fields.String()
    label_vi = fields.String()
    label_en = fields.String(allow_none=True)


class SchemeSchema(Schema):
    scheme = fields.String()
    version = fields.String()
    codes = fields.List(fields.Nested(CodeSchema))


class SchemeQuery(Schema):
    parent = fields.String(load_default=None)


@blp.route("/<scheme>")
class Reference(MethodView):
    @public
    @blp.arguments(SchemeQuery, location="query")
    @blp.response(200, SchemeSchema)
    def get(self, args, scheme: str):
        """Active codes of ``province``, ``commune``, ``st_field`` or ``vsic``."""
        if scheme not in SCHEMES:
            abort(404, message=f"Unknown scheme. Use one of: {', '.join(SCHEMES)}.")
        return {"scheme": scheme, "version": SCHEMES[scheme].version,
                "codes": list_codes(scheme, parent=args["parent"])}
