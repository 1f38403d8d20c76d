"""What an uploaded attachment really is, judged by its content, and a copy without metadata.

The original upload is kept as evidence. Staff work from the working copy, which should not carry
where a photo was taken, who wrote a document or which machine made it. Pure functions: no ORM,
no I/O, and no domain app: a refusal is a ``FileRefused`` whose message is written for the
person who sent the file; the app that takes the upload decides what to make of it. Empty files
and size limits are that app's to check.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader, PdfWriter

from files.exceptions import FileRefused

# pypdf's log lines quote pieces of the documents it reads, and an attachment's content must never
# reach the logs. Stopping its records here is set once, not per call, so threads cannot race.
_pypdf_log = logging.getLogger("pypdf")
_pypdf_log.addHandler(logging.NullHandler())
_pypdf_log.propagate = False

ALLOWED_KINDS_TEXT = gettext_lazy(
    "PDF, JPEG, PNG, plain text, Word, Excel, PowerPoint and OpenDocument files"
)

# Real office documents have a few hundred parts and unpack to a few times their size; these
# bounds keep a crafted zip from costing us minutes or gigabytes while it is checked.
MAX_ZIP_MEMBERS = 2_000
_NAME_SHOWN = 80  # characters of the file name quoted back in a message
_MB = 1024 * 1024


@dataclass
class UnpackBudget:
    """How many bytes the zip-based documents (Office, OpenDocument) may unpack to while they are
    checked: each file, and all the files of one request together.

    The app that takes an upload makes one budget per request and passes it to ``check_file``
    for every file, so ten documents share it. The sizes a zip declares are compared with it
    before anything is unpacked; what is really unpacked is counted against it as it streams,
    so a document whose declared sizes lie is stopped too. Unpacked bytes are counted, never
    kept: the cost is time, and this bounds it.
    """

    per_file: int = 80 * _MB
    per_request: int = 80 * _MB
    spent: int = 0  # unpacked so far, by every file checked with this budget


class _Meter:
    """One file's share of an ``UnpackBudget``."""

    def __init__(self, budget: UnpackBudget) -> None:
        self.budget = budget
        self.spent = 0

    def require(self, size: int) -> None:
        """Refuse before unpacking if ``size`` more bytes would go over either limit."""
        if self.spent + size > self.budget.per_file:
            raise FileRefused(_(
                "This document unpacks to more than %(limit)s MB, too much to be checked safely. "
                "Send it as a PDF file instead.") % {"limit": self.budget.per_file // _MB})
        if self.budget.spent + size > self.budget.per_request:
            raise FileRefused(_(
                "Together, these documents unpack to more than %(limit)s MB, too much to be "
                "checked safely at once. Send fewer of them at a time, or send them as PDF "
                "files.") % {"limit": self.budget.per_request // _MB})

    def spend(self, size: int) -> None:
        self.require(size)
        self.spent += size
        self.budget.spent += size


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    working_copy: bytes | None  # None: nothing was removed, or it could not be (encrypted PDF)


@dataclass(frozen=True)
class _Kind:
    content_type: str
    extensions: tuple[str, ...]  # the first is the one we suggest
    label: Promise  # with its article, to read "its content is %(actual)s"


_ODF = "application/vnd.oasis.opendocument."
_OOXML = "application/vnd.openxmlformats-officedocument."
_KINDS: dict[str, _Kind] = {
    "pdf": _Kind("application/pdf", ("pdf",), gettext_lazy("a PDF file")),
    "jpeg": _Kind("image/jpeg", ("jpg", "jpeg", "jfif"), gettext_lazy("a JPEG image")),
    "png": _Kind("image/png", ("png",), gettext_lazy("a PNG image")),
    # We decoded it as UTF-8, so say so: a browser guessing the charset garbles accents.
    "text": _Kind("text/plain; charset=utf-8", ("txt", "text", "csv", "md"),
                  gettext_lazy("plain text")),
    "docx": _Kind(_OOXML + "wordprocessingml.document", ("docx",),
                  gettext_lazy("a Word document")),
    "xlsx": _Kind(_OOXML + "spreadsheetml.sheet", ("xlsx",), gettext_lazy("an Excel workbook")),
    "pptx": _Kind(_OOXML + "presentationml.presentation", ("pptx",),
                  gettext_lazy("a PowerPoint presentation")),
    "odt": _Kind(_ODF + "text", ("odt",), gettext_lazy("an OpenDocument text")),
    "ods": _Kind(_ODF + "spreadsheet", ("ods",), gettext_lazy("an OpenDocument spreadsheet")),
    "odp": _Kind(_ODF + "presentation", ("odp",), gettext_lazy("an OpenDocument presentation")),
}
_KIND_OF_EXTENSION = {ext: kind for kind, spec in _KINDS.items() for ext in spec.extensions}

_DAMAGED_IMAGE = gettext_lazy("This image is damaged or incomplete. Save it again and send it, "
                              "or send a screenshot of it.")
_DAMAGED_DOCUMENT = gettext_lazy("This document is damaged and cannot be opened. Save it again "
                                 "and send it, or send it as a PDF file.")
_PASSWORD = gettext_lazy("This document is protected with a password. Remove the password, save "
                         "it and send it again.")

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CFB_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")  # old Office files, and encrypted new ones


def check_file(*, filename: str, content: bytes, budget: UnpackBudget | None = None
               ) -> CheckedFile:
    """Say what the upload is, refuse what we do not accept, and strip what identifies people.

    ``budget`` bounds what zip-based documents unpack to; pass one budget for all the files of
    a request. Without it, the file gets a budget of its own with the default limits.

    Raises FileRefused with a message for the person who sent the file.
    """
    name = re.split(r"[/\\]", filename)[-1].strip()  # some browsers send the whole path
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    shown = name if len(name) <= _NAME_SHOWN else name[: _NAME_SHOWN - 1] + "…"
    meter = _Meter(budget if budget is not None else UnpackBudget())
    kind = _detect(content, extension, meter)
    if kind is None:
        raise _not_accepted(shown, extension)
    _require_matching_name(kind, shown, extension)
    if kind in _ZIP_REPLACEMENTS:
        stripped = _rewrite_zip(content, _ZIP_REPLACEMENTS[kind], meter)
    else:
        stripped = _STRIPPERS[kind](content)
    return CheckedFile(kind=kind, content_type=_KINDS[kind].content_type,
                       working_copy=None if stripped == content else stripped)


def _detect(content: bytes, extension: str, meter: _Meter) -> str | None:
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(_PNG_SIGNATURE):
        return "png"
    # A zip must start as one: a program with a zip glued to its end is not a document.
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(content, meter)
    if content.startswith(_CFB_SIGNATURE) and extension in {"docx", "xlsx", "pptx"}:
        # Office saves a password-protected document as an encrypted compound file, not a zip.
        raise FileRefused(str(_PASSWORD))
    is_text_name = extension in _KINDS["text"].extensions
    try:
        content.decode("utf-8")  # a UTF-8 byte order mark decodes too, and is fine
    except UnicodeDecodeError:
        if is_text_name:
            raise FileRefused(_(
                "This text file could not be read as UTF-8. Save it again with the UTF-8 "
                "encoding (in Excel: “CSV UTF-8”) and send it again.")) from None
        return None
    if b"\0" in content:
        if is_text_name:
            raise FileRefused(_("This file contains binary data, so it is not plain text."))
        return None
    return "text"


def _not_accepted(shown: str, extension: str) -> FileRefused:
    claimed = _KIND_OF_EXTENSION.get(extension)
    if claimed is None:
        return FileRefused(_("This kind of file cannot be accepted. You can send: "
                                  "%(kinds)s.") % {"kinds": ALLOWED_KINDS_TEXT})
    return FileRefused(_(
        "The name “%(name)s” says it is %(claimed)s, but its content is not a kind of file we "
        "can accept. You can send: %(kinds)s."
    ) % {"name": shown, "claimed": _KINDS[claimed].label, "kinds": ALLOWED_KINDS_TEXT})


def _require_matching_name(kind: str, shown: str, extension: str) -> None:
    """A mislabelled file is refused: staff open attachments by their names."""
    spec = _KINDS[kind]
    if extension in spec.extensions:
        return
    values = {"name": shown, "actual": spec.label, "extension": "." + spec.extensions[0]}
    if not extension:
        raise FileRefused(_("“%(name)s” has no extension. Give it a name ending in "
                                 "%(extension)s and send it again.") % values)
    claimed = _KIND_OF_EXTENSION.get(extension)
    if claimed is None:
        raise FileRefused(_(
            "The name “%(name)s” does not match its content, which is %(actual)s. Give it a name "
            "ending in %(extension)s and send it again.") % values)
    raise FileRefused(_(
        "The name “%(name)s” says it is %(claimed)s, but its content is %(actual)s. Choose the "
        "file you meant, or give it a name ending in %(extension)s."
    ) % {**values, "claimed": _KINDS[claimed].label})


# --- Zip-based office documents ------------------------------------------------------------

_OOXML_FOLDERS = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
_ODF_MIMETYPES = {spec.content_type.encode(): kind for kind, spec in _KINDS.items()
                  if spec.content_type.startswith(_ODF)}
# Office writes only these; bzip2 and LZMA would also let 4 kB unpack to gigabytes at once.
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ValueError, EOFError,
               OSError, NotImplementedError, RuntimeError, KeyError)
_ZIP_ODD_FLAGS = 0x20 | 0x40  # patched data, strong encryption: zipfile refuses them too
_LOCAL_HEADER_SIZE = 30
_CHUNK = 256 * 1024  # unpacked bytes held at once
_INPUT_CHUNK = 64 * 1024  # compressed bytes handed to zlib at once


def _open_zip(content: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except _ZIP_ERRORS as error:
        raise FileRefused(str(_DAMAGED_DOCUMENT)) from error


def _zip_kind(content: bytes, meter: _Meter) -> str:
    with _open_zip(content) as archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        kind = _odf_kind(content, archive, names, meter) or _ooxml_kind(names)
        if kind is None:
            raise FileRefused(_(
                "Zip archives cannot be accepted. Send the files in it one by one. You can send: "
                "%(kinds)s.") % {"kinds": ALLOWED_KINDS_TEXT})
        if len(members) > MAX_ZIP_MEMBERS:
            raise FileRefused(_("This document has too many parts to be checked safely. "
                                     "Send it as a PDF file instead."))
        if len(names) != len(members):  # programs disagree on which of two same-named parts counts
            raise FileRefused(str(_DAMAGED_DOCUMENT))
        # The sizes the zip declares are checked first, before a byte is unpacked: a bomb costs
        # us nothing. Unpacking holds every member to its declared size (``_unpack``), so the
        # sizes cannot lie their way past this either.
        meter.require(sum(member.file_size for member in members))
        if any(member.flag_bits & 0x1 for member in members):
            raise FileRefused(str(_PASSWORD))
        if any(member.compress_type not in _ZIP_METHODS or member.flag_bits & _ZIP_ODD_FLAGS
               for member in members):
            raise FileRefused(str(_DAMAGED_DOCUMENT))
        _require_apart(content, members)
        # OpenDocument encrypts inside the zip; its manifest says so.
        if kind in _ODF_MIMETYPES.values() and b"encryption-data" in _read(
                content, archive, "META-INF/manifest.xml", meter, missing_ok=True):
            raise FileRefused(str(_PASSWORD))
        return kind


def _odf_kind(content: bytes, archive: zipfile.ZipFile, names: Collection[str],
              meter: _Meter) -> str | None:
    if "mimetype" not in names:
        return None
    info = archive.getinfo("mimetype")
    if info.file_size > 100 or info.flag_bits & 0x1 or info.compress_type not in _ZIP_METHODS:
        return None  # read before the archive-wide checks: only when small, plain and open
    return _ODF_MIMETYPES.get(_read(content, archive, "mimetype", meter).strip())


def _ooxml_kind(names: Collection[str]) -> str | None:
    if "[Content_Types].xml" not in names:
        return None
    for folder, kind in _OOXML_FOLDERS:
        if any(name.startswith(folder) for name in names):
            return kind
    return None


def _data_span(content: bytes, member: zipfile.ZipInfo) -> tuple[int, int]:
    """Where a member's compressed bytes lie, found through its local header as zipfile would,
    which must name the member the central directory names."""
    start = member.header_offset
    header = content[start:start + _LOCAL_HEADER_SIZE]
    if len(header) != _LOCAL_HEADER_SIZE or not header.startswith(b"PK\x03\x04"):
        raise FileRefused(str(_DAMAGED_DOCUMENT))
    flags, = struct.unpack("<H", header[6:8])
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    name_end = start + _LOCAL_HEADER_SIZE + name_length
    try:
        name = content[name_end - name_length:name_end].decode(
            "utf-8" if flags & 0x800 else "cp437")
    except UnicodeDecodeError:
        name = ""
    data_start = name_end + extra_length
    data_end = data_start + member.compress_size
    if name != member.orig_filename or data_end > len(content):
        raise FileRefused(str(_DAMAGED_DOCUMENT))
    return data_start, data_end


def _require_apart(content: bytes, members: list[zipfile.ZipInfo]) -> None:
    """Members sharing compressed bytes are a known way to make a small zip unpack to a lot,
    and no office program writes them."""
    end = 0
    for member in sorted(members, key=lambda member: member.header_offset):
        if member.header_offset < end:
            raise FileRefused(str(_DAMAGED_DOCUMENT))
        end = _data_span(content, member)[1]


def _inflate(raw: memoryview, method: int) -> Iterator[bytes]:
    """A member's bytes, at most ``_CHUNK`` at a time however well they were compressed: a
    member is never unpacked whole, so memory stays small whatever it claims or holds."""
    if method == zipfile.ZIP_STORED:
        for start in range(0, len(raw), _CHUNK):
            yield bytes(raw[start:start + _CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    # Fed in small pieces: what zlib has not consumed yet is copied on every call.
    for start in range(0, len(raw), _INPUT_CHUNK):
        data: bytes | memoryview = raw[start:start + _INPUT_CHUNK]
        while data and not inflater.eof:
            chunk = inflater.decompress(data, _CHUNK)
            data = inflater.unconsumed_tail
            if chunk:
                yield chunk
        if inflater.eof:
            return
    while not inflater.eof:  # zlib may still hold output once all the input is in
        chunk = inflater.decompress(b"", _CHUNK)
        if not chunk:
            raise FileRefused(str(_DAMAGED_DOCUMENT))  # the data stops before its end
        yield chunk


def _unpack(content: bytes, member: zipfile.ZipInfo, meter: _Meter) -> Iterator[bytes]:
    """A member's content as it streams, each chunk counted against the budget. Neither the
    declared size nor the checksum is taken on trust: unpacking stops at the first byte past
    the declared size, and a size or checksum that does not match is a damaged document."""
    start, end = _data_span(content, member)
    size, crc = 0, 0
    try:
        for chunk in _inflate(memoryview(content)[start:end], member.compress_type):
            size += len(chunk)
            if size > member.file_size:
                raise FileRefused(str(_DAMAGED_DOCUMENT))
            meter.spend(len(chunk))
            crc = zlib.crc32(chunk, crc)
            yield chunk
    except zlib.error as error:
        raise FileRefused(str(_DAMAGED_DOCUMENT)) from error
    if size != member.file_size or crc != member.CRC:
        raise FileRefused(str(_DAMAGED_DOCUMENT))


def _read(content: bytes, archive: zipfile.ZipFile, name: str, meter: _Meter, *,
          missing_ok: bool = False) -> bytes:
    """A member we need whole: the mimetype, the manifest, the metadata parts."""
    if missing_ok and name not in archive.NameToInfo:
        return b""
    return b"".join(_unpack(content, archive.getinfo(name), meter))


def _empty_xml(root: str, namespace: str, strict_namespace: str | None = None
               ) -> Callable[[bytes], bytes]:
    """An empty properties part; Strict OOXML documents keep their own namespace."""
    def replace(original: bytes) -> bytes:
        chosen = strict_namespace if strict_namespace and strict_namespace.encode() in original \
            else namespace
        prefix, _sep, _local = root.rpartition(":")
        xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                f'<{root} {xmlns}="{chosen}"/>').encode()
    return replace


def _empty_odf_meta(original: bytes) -> bytes:
    # Keep the declared ODF version: a meta.xml of another version makes some readers complain.
    found = re.search(rb'office:version="([0-9.]{1,8})"', original[:4096])
    version = b' office:version="' + found.group(1) + b'"' if found else b""
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta xmlns:office='
            b'"urn:oasis:names:tc:opendocument:xmlns:office:1.0"' + version
            + b"><office:meta/></office:document-meta>")


_OOXML_REPLACEMENTS: dict[str, Callable[[bytes], bytes]] = {
    # Creator, last modified by, dates, title, subject, keywords, revision.
    "docProps/core.xml": _empty_xml(
        "cp:coreProperties",
        "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"),
    # Company, manager, template, editing time, the application and its version.
    "docProps/app.xml": _empty_xml(
        "Properties", "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
        "http://purl.oclc.org/ooxml/officeDocument/extendedProperties"),
    # Whatever an organisation's templates add: department, client, case numbers.
    "docProps/custom.xml": _empty_xml(
        "Properties", "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
        "http://purl.oclc.org/ooxml/officeDocument/customProperties"),
}
# Initial creator, creator, dates, editing time and cycles, generator, user-defined fields.
_ODF_REPLACEMENTS: dict[str, Callable[[bytes], bytes]] = {"meta.xml": _empty_odf_meta}


def _rewrite_zip(content: bytes, replacements: dict[str, Callable[[bytes], bytes]],
                 meter: _Meter) -> bytes | None:
    """The same members in the same order, the metadata parts replaced. None when nothing
    changed.

    Every member is unpacked as it streams, to check it (``_unpack``), but what is kept is its
    compressed bytes, copied as they are: only the replaced parts are compressed again.
    Extra fields (owner ids, precise times) and comments are not carried over. ``mimetype``
    goes first and uncompressed, as OpenDocument requires.
    """
    with _open_zip(content) as source:
        members = sorted(source.infolist(), key=lambda member: member.filename != "mimetype")
        if not any(member.filename in replacements for member in members):
            for member in members:
                for _chunk in _unpack(content, member, meter):
                    pass
            return None
        changed = False
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for member in members:
                copy = zipfile.ZipInfo(member.filename, date_time=member.date_time)
                copy.external_attr = member.external_attr
                copy.compress_type = member.compress_type
                if member.filename in replacements:
                    data = _read(content, source, member.filename, meter)
                    replaced = replacements[member.filename](data)
                    changed = changed or replaced != data
                    target.writestr(copy, replaced)
                elif member.filename == "mimetype" and member.compress_type != zipfile.ZIP_STORED:
                    copy.compress_type = zipfile.ZIP_STORED  # at most 100 bytes: see _odf_kind
                    target.writestr(copy, _read(content, source, member.filename, meter))
                else:
                    for _chunk in _unpack(content, member, meter):
                        pass
                    start, end = _data_span(content, member)
                    _write_compressed(target, copy, member, memoryview(content)[start:end])
    return out.getvalue() if changed else None


def _write_compressed(target: zipfile.ZipFile, copy: zipfile.ZipInfo, member: zipfile.ZipInfo,
                      raw: memoryview) -> None:
    """Add a member whose compressed bytes we already have and have checked.

    zipfile has no public way to do this, so this writes what ``ZipFile.writestr`` writes,
    a local header and the data, and keeps the archive's own bookkeeping as writestr does, so
    that ``close`` writes the central directory for it.
    """
    copy.CRC, copy.compress_size, copy.file_size = member.CRC, len(raw), member.file_size
    if target.fp is None:  # open for writing until the ``with`` block ends
        raise RuntimeError("the working copy's archive was closed while it was written")
    target.fp.seek(target.start_dir)
    copy.header_offset = target.start_dir
    target.fp.write(copy.FileHeader())
    target.fp.write(raw)
    target.start_dir = target.fp.tell()
    target.filelist.append(copy)
    target.NameToInfo[copy.filename] = copy


# --- Images and PDF ------------------------------------------------------------------------

_JPEG_NO_LENGTH = {0x01, *range(0xD0, 0xD8)}  # TEM and restart markers stand alone


def _keep_jpeg_segment(marker: int, payload: bytes) -> bool:
    if marker == 0xFE:  # COM: cameras and editors write names and serial numbers here
        return False
    if 0xE0 <= marker <= 0xEF:
        if marker == 0xE2:  # the colour profile is needed to show the picture right
            return payload.startswith(b"ICC_PROFILE\0")
        # JFIF and Adobe (colour transform) are needed to decode; the rest is Exif, XMP,
        # IPTC/Photoshop, maker notes, multi-picture indexes and content credentials.
        return marker in (0xE0, 0xEE)
    return True


def _strip_jpeg(content: bytes) -> bytes:
    """Drop metadata segments; the compressed picture is copied as it is, so nothing is lost.

    Everything after the end-of-image marker goes too: phones append further pictures there
    (depth maps, previews), each with its own Exif.
    """
    damaged = FileRefused(str(_DAMAGED_IMAGE))
    out, pos, end, scanned = [b"\xff\xd8"], 2, len(content), False
    while True:
        while pos + 2 <= end and content[pos] == 0xFF and content[pos + 1] == 0xFF:
            pos += 1  # fill bytes may pad a marker
        if pos + 2 > end or content[pos] != 0xFF or content[pos + 1] in (0x00, 0xD8):
            raise damaged
        marker = content[pos + 1]
        if marker == 0xD9:
            if not scanned:
                raise damaged
            return b"".join([*out, b"\xff\xd9"])
        if marker in _JPEG_NO_LENGTH:
            out.append(content[pos:pos + 2])
            pos += 2
            continue
        length = int.from_bytes(content[pos + 2:pos + 4], "big")
        segment_end = pos + 2 + length
        if pos + 4 > end or length < 2 or segment_end > end:
            raise damaged
        if _keep_jpeg_segment(marker, content[pos + 4:pos + 16]):
            out.append(content[pos:segment_end])
        pos = segment_end
        if marker == 0xDA:  # start of scan: compressed data until the next real marker
            scanned = True
            scan_end = _end_of_scan(content, pos)
            if scan_end < 0:
                raise damaged
            out.append(content[pos:scan_end])
            pos = scan_end


def _end_of_scan(content: bytes, pos: int) -> int:
    """Where the next marker starts; -1 if the data stops first. FF00 and restarts are data."""
    while True:
        pos = content.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(content):
            return -1
        following = content[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
        elif following == 0xFF:
            pos += 1
        else:
            return pos


# Text (author, software, comments, often a GPS position), Exif, and last-modified time;
# caBX holds content credentials, which name who made or edited the picture.
_PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME", b"caBX"}


def _strip_png(content: bytes) -> bytes:
    """Drop metadata chunks; the image data is copied as it is. Anything after IEND goes too."""
    out, pos, end = [_PNG_SIGNATURE], len(_PNG_SIGNATURE), len(content)
    while pos + 12 <= end:
        length, chunk_type = struct.unpack(">I4s", content[pos:pos + 8])
        chunk_end = pos + 12 + length  # length, type, data, CRC
        if (length > 0x7FFFFFFF or chunk_end > end or not chunk_type.isalpha()
                or (pos == len(_PNG_SIGNATURE) and chunk_type != b"IHDR")):
            break
        if chunk_type not in _PNG_DROPPED:
            out.append(content[pos:chunk_end])
        pos = chunk_end
        if chunk_type == b"IEND":
            return b"".join(out)
    raise FileRefused(str(_DAMAGED_IMAGE))


def _strip_pdf(content: bytes) -> bytes | None:
    """A new PDF without the information dictionary and XMP streams, or None if we cannot.

    An encrypted or broken PDF is still accepted: the original is the working copy then.
    """
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            return None
        # Cloning copies only what the catalogue reaches, so an older revision's /Info left
        # behind by incremental saves does not come along.
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        writer.xmp_metadata = None
        for page in writer.pages:
            page.pop("/Metadata", None)
        # The XMP streams were cloned before we unlinked them; drop them now they are orphans.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except Exception:  # pypdf raises many kinds of errors on broken files, and that is fine here
        return None
    return out.getvalue()


def _no_metadata(content: bytes) -> None:
    return None


_STRIPPERS: dict[str, Callable[[bytes], bytes | None]] = {
    "pdf": _strip_pdf,
    "jpeg": _strip_jpeg,
    "png": _strip_png,
    "text": _no_metadata,
}
# Zip-based kinds are rewritten by ``_rewrite_zip``, which needs the request's unpack budget.
_ZIP_REPLACEMENTS: dict[str, dict[str, Callable[[bytes], bytes]]] = {
    **{kind: _OOXML_REPLACEMENTS for kind in ("docx", "xlsx", "pptx")},
    **{kind: _ODF_REPLACEMENTS for kind in ("odt", "ods", "odp")},
}
