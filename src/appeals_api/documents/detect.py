"""What a document is, told from its first bytes (R-12.1), never from its name or the client's
word: a small table of signatures, and an allow-list of what the service keeps."""

from __future__ import annotations

import codecs

# How many leading bytes are looked at: enough for an Office package's first entries' names.
SNIFF_BYTES = 64 * 1024

PDF = "application/pdf"
TEXT = "text/plain; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
UNKNOWN = "application/octet-stream"

# What the service keeps: PDF, images, office documents, plain text.
ALLOWED = frozenset(
    {PDF, "image/png", "image/jpeg", "image/tiff", "image/gif", "image/webp"}
    | {DOCX, XLSX, PPTX, ODT, ODS, DOC, XLS, TEXT}
)

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Control characters plain text does not hold (tab, line feed, form feed, return are fine).
_BINARY = bytes(set(range(32)) - {9, 10, 12, 13}) + b"\x7f"


def detect(head: bytes) -> str:
    """The media type of a file that begins with `head` (up to SNIFF_BYTES of it)."""
    for magic, media_type in _SIGNATURES:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(_ZIP):
        return _package(head)
    if head.startswith(_OLE):
        return _compound(head)
    if head and is_text(head, final=len(head) < SNIFF_BYTES):
        return TEXT
    return UNKNOWN


def _package(head: bytes) -> str:
    """A zip: an OpenDocument names its type in its first entry, `mimetype`, stored as is; an
    Office Open XML package has `[Content_Types].xml` and its parts' folder among the first."""
    if head[30:38] == b"mimetype":
        for media_type in (ODT, ODS):
            if head[38:].startswith(media_type.encode()):
                return media_type
        return ZIP
    if b"[Content_Types].xml" in head:
        for folder, media_type in ((b"word/", DOCX), (b"xl/", XLSX), (b"ppt/", PPTX)):
            if folder in head:
                return media_type
    return ZIP


def _compound(head: bytes) -> str:
    """An OLE compound file (DOC, XLS): its directory names the main stream, in UTF-16."""
    if "WordDocument".encode("utf-16-le") in head:
        return DOC
    if "Workbook".encode("utf-16-le") in head or "Book".encode("utf-16-le") in head:
        return XLS
    return OLE


def is_text(data: bytes, *, final: bool) -> bool:
    """UTF-8 without control characters (a sequence cut at the end is fine unless `final`)."""
    if data.translate(None, _BINARY) != data:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


class TextCheck:
    """The rest of a plain-text file, checked as it streams: UTF-8 all through."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.ok = True

    def feed(self, data: bytes, *, final: bool = False) -> None:
        if not self.ok:
            return
        if data.translate(None, _BINARY) != data:
            self.ok = False
            return
        try:
            self._decoder.decode(data, final=final)
        except UnicodeDecodeError:
            self.ok = False
