"""A `multipart/form-data` upload read as it arrives (python-multipart's streaming parser):
the `file` part's bytes are handed on piece by piece, never gathered, never spooled to disk;
the small fields (`kind`) are kept. Starlette's `request.form()` is not used: it reads the
whole body first (spooling files over 1 MiB to a temporary file) before the route sees any."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from appeals_api.errors import BadRequest, FieldError, Unprocessable, UnsupportedMediaType

# The upload route's path, for the body limit (middleware runs before routing).
UPLOAD_PATH = re.compile(r"/api/v1/appeals/[^/]+/documents")
FILE_FIELD = "file"
FIELDS = frozenset({"kind"})
MAX_FIELD_BYTES = 1024
# The multipart framing around the file (boundaries, part headers, the small fields): what
# the body limit allows on this route besides the file's own limit.
FRAMING_BYTES = 64 * 1024


@dataclass
class Upload:
    """What the form carried besides the file's bytes, known once they have streamed."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    has_file: bool = False


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    is_file: bool = False
    value: bytearray = field(default_factory=bytearray)
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)


def _boundary(request: Request) -> bytes:
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType(
            "A document is uploaded as multipart/form-data with `file` and `kind` (R-12.1)."
        )
    return boundary


class _Reader:
    """The parser's callbacks: each part's headers, the file's pieces, the fields' values."""

    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self.part = _Part()
        self.pieces: list[bytes] = []
        self.ended = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: self.part.header_field.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self.part.header_value.extend(d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _begin(self) -> None:
        self.part = _Part()

    def _header_end(self) -> None:
        self.part.headers[bytes(self.part.header_field).lower()] = bytes(self.part.header_value)
        self.part.header_field.clear()
        self.part.header_value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition", b""))
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if self.part.name == FILE_FIELD:
            if self.upload.has_file:
                raise _refused("One document per request: the form has a second `file`.")
            self.part.is_file = self.upload.has_file = True
            filename = options.get(b"filename")
            # Browsers (WHATWG) send a name's quotation mark as %22, its line breaks as %0D %0A.
            name = filename.decode("utf-8", "replace") if filename else None
            self.upload.filename = name.replace("%22", '"') if name else None
        elif self.part.name not in FIELDS:
            raise _refused(f"Unknown form field {self.part.name!r}: `file` and `kind` only.")

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.part.is_file:
            self.pieces.append(data[start:end])
            return
        self.part.value.extend(data[start:end])
        if len(self.part.value) > MAX_FIELD_BYTES:
            raise _refused(f"The form field {self.part.name!r} is too long.")

    def _part_end(self) -> None:
        if not self.part.is_file:
            self.upload.fields[self.part.name] = self.part.value.decode("utf-8", "replace")

    def _end(self) -> None:
        self.ended = True


def _refused(detail: str) -> Unprocessable:
    return Unprocessable(detail, [FieldError(field="body", message=detail, type="form")])


async def file_bytes(request: Request, upload: Upload) -> AsyncIterator[bytes]:
    """The `file` part's bytes as the body arrives; `upload` is filled in on the way."""
    reader = _Reader(upload)
    parser = MultipartParser(_boundary(request), reader.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            for piece in reader.pieces:
                yield piece
            reader.pieces.clear()
        parser.finalize()
    except MultipartParseError as exc:
        raise BadRequest(f"The multipart body is malformed: {exc}.") from exc
    if not reader.ended:
        raise BadRequest("The multipart body ended before its closing boundary.")
