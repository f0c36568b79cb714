"""What an action's body takes, read from its model: what a frontend needs to build a form
(`GET …/actions` lists it with each action)."""

from __future__ import annotations

from typing import Any

from appeals_api.appeals.lifecycle.workflow import ActionSpec


def body_fields(spec: ActionSpec) -> list[dict[str, Any]]:
    """The fields an action's body takes, from its model: what a frontend needs to build a form."""
    schema = spec.body.model_json_schema()
    required = set(schema.get("required", []))
    defs = schema.get("$defs", {})
    out = []
    for name, prop in schema.get("properties", {}).items():
        out.append(
            {
                "name": name,
                "required": name in required,
                "type": _type_name(prop, defs),
                "description": prop.get("description"),
            }
        )
    return out


def _type_name(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop:
        target = defs.get(prop["$ref"].rsplit("/", 1)[-1], {})
        if "enum" in target:
            return "enum: " + "|".join(str(v) for v in target["enum"])
        return "object"
    if "anyOf" in prop:
        kinds = [_type_name(p, defs) for p in prop["anyOf"] if p.get("type") != "null"]
        return kinds[0] if len(kinds) == 1 else " | ".join(kinds)
    if prop.get("type") == "array":
        return f"array of {_type_name(prop.get('items', {}), defs)}"
    if prop.get("format") == "date":
        return "date"
    return str(prop.get("type", "any"))
