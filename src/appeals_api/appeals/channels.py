"""Which forms each channel admits (R-1.1, §4): the one table intake and every producer use.

The form decides the start date (R-3.2: only an electronic appeal moves after hours), so a
pair that contradicts its channel would give a wrong deadline; it is refused (422).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from appeals_api.appeals.enums import Channel, Form
from appeals_api.errors import FieldError, Unprocessable

_ORAL, _WRITTEN, _ELECTRONIC = Form.ORAL, Form.WRITTEN, Form.ELECTRONIC

# Policy (DOMAIN.md ). `mass_media`: an editorial office's letter or an online publication;
# `other`: whatever reached the company another way, so any form the registrar records.
FORMS_OF_CHANNEL: Mapping[Channel, frozenset[Form]] = MappingProxyType(
    {
        Channel.HELPLINE: frozenset({_ORAL}),
        Channel.WEBSITE: frozenset({_ELECTRONIC}),
        Channel.EMAIL: frozenset({_ELECTRONIC}),
        Channel.GOVERNMENT_PORTAL: frozenset({_ELECTRONIC}),
        Channel.PRESIDENTIAL_VIRTUAL_RECEPTION: frozenset({_ELECTRONIC}),
        Channel.POST: frozenset({_WRITTEN}),
        Channel.PERSONAL_RECEPTION: frozenset({_ORAL, _WRITTEN}),
        Channel.MASS_RECEPTION: frozenset({_ORAL, _WRITTEN}),
        Channel.MASS_MEDIA: frozenset({_WRITTEN, _ELECTRONIC}),
        Channel.OTHER: frozenset(Form),
    }
)


def follows_channel(form: Form, channel: Channel) -> bool:
    """R-1.1 (§4): whether `form` is one the channel admits."""
    return form in FORMS_OF_CHANNEL[channel]


def check_form(form: Form, channel: Channel) -> None:
    """R-1.1 (§4): 422, naming both fields, for a form its channel does not admit."""
    if follows_channel(form, channel):
        return
    admitted = " or ".join(sorted(f.value for f in FORMS_OF_CHANNEL[channel]))
    message = f"a {channel.value} appeal is {admitted}, not {form.value}"
    raise Unprocessable(
        f"§4: the form follows the channel: {message} (R-1.1).",
        [
            FieldError(field="form", message=message, type="form_channel"),
            FieldError(field="channel", message=message, type="form_channel"),
        ],
    )
