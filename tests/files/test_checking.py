"""Attachments are judged by their content, and their working copies lose identifying metadata.

Every file here is a real one, built in the test: Pillow for images, pypdf for PDFs, zipfile for
office documents. No database.
"""

from __future__ import annotations

import io
import logging
import struct
import tracemalloc
import warnings
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable

import pytest
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter

from files.checking import ALLOWED_KINDS_TEXT, CheckedFile, UnpackBudget, check_file
from files.exceptions import FileRefused
from tests.files.zipbombs import Unpacked, zip_bomb

NAME = "Jane Reporter"  # stands for anything that identifies a person
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
       b"<dc:creator>Jane Reporter</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>")


def refused(filename: str, content: bytes) -> str:
    with pytest.raises(FileRefused) as raised:
        check_file(filename=filename, content=content)
    message = raised.value.args[0]
    assert type(message) is str
    assert message.strip()
    return message


# --- Images --------------------------------------------------------------------------------

def picture() -> Image.Image:
    image = Image.new("RGB", (64, 48))
    image.putdata([(x * 4, y * 5, (x * y) % 256) for y in range(48) for x in range(64)])
    return image


def camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS 5D"
    exif[ExifTags.Base.Artist] = NAME
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 5.0, 10.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 53.0, 2.0)
    return exif


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg(**options: object) -> bytes:
    out = io.BytesIO()
    picture().save(out, "JPEG", quality=90, **options)
    return out.getvalue()


def photo_with_metadata(**options: object) -> bytes:
    return jpeg(exif=camera_exif(), xmp=XMP, comment=NAME.encode(), icc_profile=SRGB, **options)


def assert_clean_jpeg(original: bytes, copy: bytes | None) -> None:
    assert copy is not None
    for marker in (b"Exif\x00\x00", b"http://ns.adobe.com/xap/1.0/", b"Canon", NAME.encode()):
        assert marker not in copy
    with Image.open(io.BytesIO(copy)) as stripped, Image.open(io.BytesIO(original)) as source:
        assert stripped.size == source.size == (64, 48)
        assert len(stripped.getexif()) == 0
        assert "xmp" not in stripped.info
        assert stripped.tobytes() == source.tobytes()  # lossless: the same pixels
        assert stripped.info.get("icc_profile") == SRGB  # the colour profile stays


def test_jpeg_loses_exif_gps_xmp_and_comment_but_not_a_pixel() -> None:
    original = photo_with_metadata()
    with Image.open(io.BytesIO(original)) as source:  # the test photo really has it all
        assert source.getexif()[ExifTags.Base.Make] == "Canon"
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert NAME.encode() in source.info["xmp"]

    checked = check_file(filename="IMG_0042.JPG", content=original)

    assert (checked.kind, checked.content_type) == ("jpeg", "image/jpeg")
    assert_clean_jpeg(original, checked.working_copy)


@pytest.mark.parametrize("options", [{"progressive": True}, {"restart_marker_blocks": 2}],
                         ids=["progressive", "restart-markers"])
def test_jpeg_scans_are_walked_whole(options: dict[str, object]) -> None:
    original = photo_with_metadata(**options)
    assert_clean_jpeg(original, check_file(filename="a.jpeg", content=original).working_copy)


def test_pictures_appended_after_the_jpeg_go_too() -> None:
    # Phones append depth maps and previews after the end of the image, each with its own Exif.
    original = jpeg() + photo_with_metadata()
    copy = check_file(filename="a.jfif", content=original).working_copy
    assert copy is not None
    assert b"Exif" not in copy
    assert copy.endswith(b"\xff\xd9")
    assert copy == jpeg()


def test_a_clean_jpeg_is_its_own_working_copy() -> None:
    assert check_file(filename="a.jpg", content=jpeg()).working_copy is None


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],  # cut off during the upload
    lambda data: data[:20],  # inside the header segments
    lambda data: b"\xff\xd8\xff\xe0\x00\x02" + b"\x00" * 50,  # no marker where one must be
    lambda data: b"\xff\xd8\xff\xd9",  # ends before any picture
    lambda data: b"\xff\xd8\xff\xe1\xff\xff" + data[4:40],  # a segment longer than the file
])
def test_a_damaged_jpeg_is_refused(damage: Callable[[bytes], bytes]) -> None:
    assert "damaged" in refused("photo.jpg", damage(photo_with_metadata()))


def png_chunks(data: bytes) -> list[bytes]:
    types, pos = [], 8
    while pos < len(data):
        length, chunk_type = struct.unpack(">I4s", data[pos:pos + 8])
        types.append(chunk_type)
        pos += 12 + length
    return types


def png(info: PngInfo | None = None, **options: object) -> bytes:
    out = io.BytesIO()
    picture().save(out, "PNG", pnginfo=info, **options)
    return out.getvalue()


def screenshot_with_metadata() -> bytes:
    info = PngInfo()
    info.add_text("Author", NAME)
    info.add_text("Comment", NAME + " wrote this", zip=True)
    info.add_itxt("Description", NAME, lang="en", tkey="Description")
    info.add(b"tIME", struct.pack(">HBBBBB", 2026, 3, 4, 5, 6, 7))
    return png(info, exif=camera_exif(), icc_profile=SRGB)


def test_png_loses_text_exif_and_time_chunks() -> None:
    original = screenshot_with_metadata()
    assert {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"} <= set(png_chunks(original))

    checked = check_file(filename="screenshot.png", content=original)

    assert (checked.kind, checked.content_type) == ("png", "image/png")
    copy = checked.working_copy
    assert copy is not None
    assert png_chunks(copy)[0] == b"IHDR"
    assert png_chunks(copy)[-1] == b"IEND"
    assert not {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"} & set(png_chunks(copy))
    assert NAME.encode() not in copy
    assert b"Canon" not in copy
    with Image.open(io.BytesIO(copy)) as stripped, Image.open(io.BytesIO(original)) as source:
        assert stripped.tobytes() == source.tobytes()
        assert len(stripped.getexif()) == 0
        assert stripped.info.get("icc_profile") == SRGB


def test_a_clean_png_is_its_own_working_copy() -> None:
    assert check_file(filename="a.PNG", content=png()).working_copy is None


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],
    lambda data: data[:8],
    lambda data: data[:8] + struct.pack(">I", 0xFFFFFFF0) + data[12:],  # absurd chunk length
    lambda data: data[:8] + data[33:],  # IHDR missing
    lambda data: data[:12] + b"\x00\x01\x02\x03" + data[16:],  # a chunk type that is not one
])
def test_a_damaged_png_is_refused(damage: Callable[[bytes], bytes]) -> None:
    assert "damaged" in refused("a.png", damage(png()))


# --- PDF -----------------------------------------------------------------------------------

def pdf(*, pages: int = 2, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": NAME, "/Title": "Complaint about my manager",
                         "/Creator": "Word for Jane's laptop", "/CreationDate": "D:20260301"})
    writer.xmp_metadata = XMP
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_loses_its_information_dictionary_and_xmp() -> None:
    original = pdf()
    assert NAME.encode() in original

    checked = check_file(filename="letter.pdf", content=original)

    assert (checked.kind, checked.content_type) == ("pdf", "application/pdf")
    copy = checked.working_copy
    assert copy is not None
    assert NAME.encode() not in copy
    assert b"Complaint about my manager" not in copy
    reader = PdfReader(io.BytesIO(copy))
    assert len(reader.pages) == 2
    assert not reader.metadata  # no /Info at all, not even a producer
    assert reader.xmp_metadata is None


def test_an_older_revisions_metadata_does_not_survive_either() -> None:
    writer = PdfWriter(io.BytesIO(pdf()), incremental=True)
    writer.add_metadata({"/Author": "Someone Else"})
    out = io.BytesIO()
    writer.write(out)
    assert NAME.encode() in out.getvalue()  # the first revision is still in the file

    copy = check_file(filename="letter.pdf", content=out.getvalue()).working_copy

    assert copy is not None
    assert NAME.encode() not in copy
    assert b"Someone Else" not in copy


def test_an_encrypted_pdf_is_accepted_as_it_is() -> None:
    checked = check_file(filename="protected.pdf", content=pdf(password="secret"))
    assert checked == CheckedFile(kind="pdf", content_type="application/pdf", working_copy=None)


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_pdf_pypdf_cannot_read_is_accepted_and_its_complaints_stay_out_of_the_logs() -> None:
    # Not caplog: pytest attaches its capture handlers to non-propagating loggers as well.
    broken = b"%PDF-1.7\n1 0 obj << /Author (" + NAME.encode() + b") >> oops\ntrailer <<"
    root, pypdf_log = logging.getLogger(), logging.getLogger("pypdf")
    seen, said = Collect(), Collect()
    level = root.level
    root.addHandler(seen)
    root.setLevel(logging.DEBUG)
    pypdf_log.addHandler(said)
    try:
        checked = check_file(filename="broken.pdf", content=broken)
    finally:
        root.removeHandler(seen)
        root.setLevel(level)
        pypdf_log.removeHandler(said)
    assert (checked.kind, checked.working_copy) == ("pdf", None)
    assert said.records  # pypdf did complain...
    assert not [record for record in seen.records if record.name.startswith("pypdf")]  # unheard


# --- Office documents ----------------------------------------------------------------------

CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp='
    '"http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc='
    '"http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi='
    '"http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Jane Reporter</dc:creator>'
    "<cp:lastModifiedBy>Jane Reporter</cp:lastModifiedBy><dcterms:created xsi:type="
    '"dcterms:W3CDTF">2026-03-01T09:00:00Z</dcterms:created></cp:coreProperties>'
)
APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{ns}">'
    "<Application>Microsoft Office Word</Application><Company>Acme Secret Works</Company>"
    "<Manager>Jane Reporter</Manager></Properties>"
)
TRANSITIONAL_APP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
    'openxmlformats.org/officeDocument/2006/custom-properties"><property name="Client">'
    "<vt:lpwstr>Jane Reporter</vt:lpwstr></property></Properties>"
)


def build_zip(members: list[tuple[str, bytes | str, int]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data, method in members:
            archive.writestr(zipfile.ZipInfo(name, (2026, 3, 1, 9, 0, 0)), data,
                             compress_type=method)
    return out.getvalue()


D, S = zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED


def docx(folder: str = "word/", *, app_ns: str = TRANSITIONAL_APP, extra: int = 0) -> bytes:
    return build_zip([
        ("[Content_Types].xml", "<Types/>", D),
        ("_rels/.rels", "<Relationships/>", D),
        (f"{folder}document.xml", "<w:document>Text about the complaint</w:document>", D),
        (f"{folder}media/image1.png", png(), S),
        ("docProps/core.xml", CORE_XML, D),
        ("docProps/app.xml", APP_XML.format(ns=app_ns), D),
        ("docProps/custom.xml", CUSTOM_XML, D),
        *[(f"{folder}part{n}.xml", "<x/>", D) for n in range(extra)],
    ])


def parse_xml(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - only XML this test or the module under test wrote


def members(data: bytes) -> dict[str, tuple[bytes, int]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: (archive.read(info), info.compress_type)
                for info in archive.infolist()}


def test_docx_loses_creator_company_and_custom_properties_and_nothing_else() -> None:
    original = docx()
    checked = check_file(filename="Statement.DOCX", content=original)

    assert checked.kind == "docx"
    assert checked.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert checked.working_copy is not None
    before, after = members(original), members(checked.working_copy)
    assert list(after) == list(before)  # same members, same order
    assert [method for _, method in after.values()] == [method for _, method in before.values()]
    for name in before:
        if not name.startswith("docProps/"):
            assert after[name] == before[name], name
    assert NAME.encode() not in checked.working_copy
    assert b"Acme" not in checked.working_copy
    core = parse_xml(after["docProps/core.xml"][0])
    assert core.tag == "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}" \
                       "coreProperties"
    assert len(core) == 0
    app = parse_xml(after["docProps/app.xml"][0])
    assert (app.tag, len(app)) == (f"{{{TRANSITIONAL_APP}}}Properties", 0)
    custom = parse_xml(after["docProps/custom.xml"][0])
    assert custom.tag.endswith("custom-properties}Properties")
    assert len(custom) == 0


def compressed_members(data: bytes) -> dict[str, bytes]:
    """Each member's bytes as stored in the zip, still compressed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        found = {}
        for info in archive.infolist():
            name_length, extra_length = struct.unpack(
                "<HH", data[info.header_offset + 26:info.header_offset + 30])
            start = info.header_offset + 30 + name_length + extra_length
            found[info.filename] = data[start:start + info.compress_size]
        return found


def test_unchanged_members_are_copied_without_being_compressed_again() -> None:
    # Compressed at level 1: compressing again (at zipfile's default, 6) would change the bytes.
    text = "".join(f"<w:p>Paragraph {n} of the statement, line {n * 7 % 13}.</w:p>"
                   for n in range(2_000))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", text)
        archive.writestr("word/media/image1.png", png(), compress_type=S)
        archive.writestr("docProps/core.xml", CORE_XML)
    original = out.getvalue()

    copy = check_file(filename="a.docx", content=original).working_copy
    assert copy is not None
    before, after = compressed_members(original), compressed_members(copy)
    assert list(after) == list(before)
    for name in ("[Content_Types].xml", "word/document.xml", "word/media/image1.png"):
        assert after[name] == before[name], name
    assert after["docProps/core.xml"] != before["docProps/core.xml"]
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        assert archive.testzip() is None  # every checksum holds
        assert archive.read("word/document.xml") == text.encode()
    # And it is a document like any other: checked again, nothing left to strip.
    assert check_file(filename="a.docx", content=copy).working_copy is None


def test_a_stripped_document_has_nothing_left_to_strip() -> None:
    copy = check_file(filename="a.docx", content=docx()).working_copy
    assert copy is not None
    assert check_file(filename="a.docx", content=copy).working_copy is None


def test_a_strict_ooxml_document_keeps_its_namespace() -> None:
    strict = "http://purl.oclc.org/ooxml/officeDocument/extendedProperties"
    copy = check_file(filename="a.docx", content=docx(app_ns=strict)).working_copy
    assert copy is not None
    assert parse_xml(members(copy)["docProps/app.xml"][0]).tag == f"{{{strict}}}Properties"


@pytest.mark.parametrize(("folder", "filename", "kind"), [
    ("xl/", "budget.xlsx", "xlsx"), ("ppt/", "slides.pptx", "pptx")])
def test_excel_and_powerpoint_are_told_apart_by_their_parts(
        folder: str, filename: str, kind: str) -> None:
    checked = check_file(filename=filename, content=docx(folder))
    assert checked.kind == kind
    assert checked.working_copy is not None
    assert NAME.encode() not in checked.working_copy


def test_an_office_document_without_properties_is_its_own_working_copy() -> None:
    bare = build_zip([("[Content_Types].xml", "<Types/>", D), ("word/document.xml", "<w/>", D)])
    assert check_file(filename="a.docx", content=bare).working_copy is None


META_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta xmlns:office="urn:oasis:names:'
    'tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta>'
    "<meta:initial-creator>Jane Reporter</meta:initial-creator><dc:creator>Jane Reporter"
    "</dc:creator><dc:date>2026-03-01T09:00:00</dc:date><meta:user-defined meta:name="
    '"Department">Jane Reporter\'s team</meta:user-defined></office:meta></office:document-meta>'
)
ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"


def odf(mimetype: str = ODT_MIMETYPE, *, mimetype_first: bool = True,
        manifest: str = "<manifest:manifest/>") -> bytes:
    parts: list[tuple[str, bytes | str, int]] = [
        ("content.xml", "<office:document-content>Text</office:document-content>", D),
        ("meta.xml", META_XML, D),
        ("Pictures/1.png", png(), S),
        ("META-INF/manifest.xml", manifest, D),
    ]
    if mimetype_first:
        return build_zip([("mimetype", mimetype, S), *parts])
    return build_zip([*parts, ("mimetype", mimetype, D)])


def test_odt_loses_creators_dates_and_user_fields_and_keeps_mimetype_first_and_stored() -> None:
    original = odf()
    checked = check_file(filename="statement.odt", content=original)

    assert (checked.kind, checked.content_type) == ("odt", ODT_MIMETYPE)
    copy = checked.working_copy
    assert copy is not None
    before, after = members(original), members(copy)
    assert list(after) == list(before)
    assert after["mimetype"] == (ODT_MIMETYPE.encode(), S)
    for name in before:
        if name != "meta.xml":
            assert after[name] == before[name], name
    assert NAME.encode() not in copy
    meta = parse_xml(after["meta.xml"][0])
    office = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    assert meta.tag == office + "document-meta"
    assert meta.get(office + "version") == "1.3"
    assert [child.tag for child in meta] == [office + "meta"]
    assert len(meta[0]) == 0
    # The mimetype's bytes sit right after the first local header: what ODF readers sniff.
    assert copy[30:38] == b"mimetype"
    assert copy[38:38 + len(ODT_MIMETYPE)] == ODT_MIMETYPE.encode()


def test_a_misplaced_odf_mimetype_is_put_first_and_stored() -> None:
    copy = check_file(filename="a.odt", content=odf(mimetype_first=False)).working_copy
    assert copy is not None
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", S)


@pytest.mark.parametrize(("suffix", "filename", "kind"), [
    ("spreadsheet", "sums.ods", "ods"), ("presentation", "talk.odp", "odp")])
def test_odf_kinds_come_from_the_mimetype(suffix: str, filename: str, kind: str) -> None:
    checked = check_file(filename=filename,
                         content=odf(f"application/vnd.oasis.opendocument.{suffix}"))
    assert checked.kind == kind


def test_an_odf_kind_we_do_not_take_is_a_plain_zip() -> None:
    drawing = odf("application/vnd.oasis.opendocument.graphics")
    assert "Zip archives cannot be accepted" in refused("a.odg", drawing)


def test_a_password_protected_odf_document_is_refused() -> None:
    manifest = "<manifest:manifest><manifest:encryption-data/></manifest:manifest>"
    assert "password" in refused("a.odt", odf(manifest=manifest))


# --- Zip guards ----------------------------------------------------------------------------

def patch_central_directory(data: bytes, member: str, offset: int, fmt: str, value: int) -> bytes:
    """Change one field of a member's central directory entry, as a crafted file would."""
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46:entry + 46 + len(member)] != member.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    return data[:entry + offset] + struct.pack(fmt, value) + data[entry + offset
                                                                  + struct.calcsize(fmt):]


def test_too_many_members_are_refused() -> None:
    assert "too many parts" in refused("a.docx", docx(extra=2_000))


def test_a_document_declaring_a_huge_unpacked_size_is_refused() -> None:
    bomb = patch_central_directory(docx(), "word/document.xml", 24, "<I", 0x7FFF_FFFF)
    assert "more than 80 MB" in refused("a.docx", bomb)


def test_members_adding_up_past_the_limit_are_refused() -> None:
    parts = docx()
    for name in ("word/document.xml", "docProps/core.xml"):
        parts = patch_central_directory(parts, name, 24, "<I", 41 * 1024 * 1024)
    assert "more than 80 MB" in refused("a.docx", parts)


@pytest.mark.parametrize(("kind", "filename"), [("docx", "statement.docx"),
                                                ("odt", "statement.odt")])
def test_a_zip_bomb_is_refused_before_its_large_part_is_unpacked(
        kind: str, filename: str, unpacked: Unpacked) -> None:
    bomb = zip_bomb(kind)
    assert len(bomb) < 300 * 1024  # ~200 MB of zeros in a few hundred kB, as in the review
    message = refused(filename, bomb)
    assert message == ("This document unpacks to more than 80 MB, too much to be checked "
                       "safely. Send it as a PDF file instead.")
    assert unpacked.total < 1024  # at most the ODF mimetype, read to tell the kind


def test_a_member_lying_about_its_size_is_refused_while_it_is_unpacked(
        unpacked: Unpacked) -> None:
    # The bomb's large part now says it holds 1 kB (with that kilobyte's checksum), which the
    # declared sizes allow; it still inflates to 200 MB.
    lying = patch_central_directory(zip_bomb("docx"), "word/media/image1.png", 16, "<I",
                                    zlib.crc32(bytes(1024)))
    lying = patch_central_directory(lying, "word/media/image1.png", 24, "<I", 1024)
    tracemalloc.start()
    try:
        message = refused("a.docx", lying)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "damaged" in message
    assert unpacked.total <= 1024 * 1024  # stopped within a chunk of the declared size
    assert peak < 8 << 20


def test_one_budget_is_shared_by_the_files_of_a_request(unpacked: Unpacked) -> None:
    # Documents of 20 MB each, each within a file's limit; three together are over the request's.
    document = zip_bomb("docx", zeros_mb=20)
    budget = UnpackBudget(per_file=30 * 1024 * 1024, per_request=50 * 1024 * 1024)
    for _ in range(2):
        assert check_file(filename="a.docx", content=document, budget=budget).kind == "docx"
    with pytest.raises(FileRefused) as raised:
        check_file(filename="a.docx", content=document, budget=budget)
    assert str(raised.value) == (
        "Together, these documents unpack to more than 50 MB, too much to be checked safely "
        "at once. Send fewer of them at a time, or send them as PDF files.")
    # What was really unpacked never went past the budget, and the third file added nothing.
    assert unpacked.total == budget.spent <= budget.per_request


def test_a_file_without_a_budget_gets_one_of_its_own() -> None:
    document = zip_bomb("docx", zeros_mb=20)
    for _ in range(5):  # 100 MB in all, but never more than 80 MB in one call
        assert check_file(filename="a.docx", content=document).kind == "docx"


def test_an_encrypted_member_is_refused() -> None:
    encrypted = patch_central_directory(docx(), "word/document.xml", 8, "<H", 0x1)
    assert "password" in refused("a.docx", encrypted)


def test_a_password_protected_office_document_is_recognised() -> None:
    compound_file = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504
    assert "password" in refused("a.xlsx", compound_file)
    assert "cannot be accepted" in refused("old.doc", compound_file)


def test_a_member_compressed_with_bzip2_is_refused() -> None:
    odd = build_zip([("[Content_Types].xml", "<Types/>", D),
                     ("word/document.xml", "<w/>", zipfile.ZIP_BZIP2)])
    assert "damaged" in refused("a.docx", odd)


def test_two_members_with_the_same_name_are_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate
        twice = build_zip([("[Content_Types].xml", "<Types/>", D), ("word/document.xml", "<w/>", D),
                           ("docProps/core.xml", "<a/>", D), ("docProps/core.xml", CORE_XML, D)])
    assert "damaged" in refused("a.docx", twice)


def test_a_corrupt_zip_is_refused() -> None:
    assert "damaged" in refused("a.docx", b"PK\x03\x04" + b"\x00" * 200)
    assert "damaged" in refused("a.docx", docx()[:-30])


def test_a_member_whose_checksum_fails_is_refused() -> None:
    original = docx()
    stored = original.index(png()[20:40])  # the picture is stored, so its bytes are in the zip
    tampered = original[:stored] + bytes([original[stored] ^ 0xFF]) + original[stored + 1:]
    assert "damaged" in refused("a.docx", tampered)


def test_a_plain_zip_is_refused() -> None:
    archive = build_zip([("photo.jpg", jpeg(), S), ("notes.txt", "hello", D)])
    message = refused("evidence.zip", archive)
    assert "Zip archives cannot be accepted" in message
    assert str(ALLOWED_KINDS_TEXT) in message
    assert "cannot be accepted" in refused("a.zip", b"PK\x05\x06" + b"\x00" * 18)  # empty zip


def test_a_zip_without_office_parts_named_docx_is_refused() -> None:
    archive = build_zip([("[Content_Types].xml", "<Types/>", D), ("other/x.xml", "<x/>", D)])
    assert "Zip archives cannot be accepted" in refused("a.docx", archive)


# --- Plain text ----------------------------------------------------------------------------

@pytest.mark.parametrize("filename", ["notes.txt", "NOTES.TEXT", "list.csv", "readme.md"])
def test_utf8_text_is_accepted_as_it_is(filename: str) -> None:
    content = "Gesprek met de vertrouwenspersoon — 12 maart, café\n".encode()
    assert check_file(filename=filename, content=content) == CheckedFile(
        kind="text", content_type="text/plain; charset=utf-8", working_copy=None)


def test_a_utf8_byte_order_mark_is_fine() -> None:
    assert check_file(filename="a.csv", content=b"\xef\xbb\xbfname;date\n").kind == "text"


def test_text_that_is_not_utf8_is_refused() -> None:
    assert "UTF-8" in refused("export.csv", "café;naïve\n".encode("cp1252"))
    assert "UTF-8" in refused("notes.txt", "hello".encode("utf-16"))


def test_text_with_nul_bytes_is_refused() -> None:
    assert "binary" in refused("notes.txt", b"hello\x00world")


# --- Names that do not match the content ---------------------------------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def test_a_program_renamed_pdf_is_refused() -> None:
    message = refused("invoice.pdf", EXE)
    assert "“invoice.pdf” says it is a PDF file" in message
    assert "not a kind of file we can accept" in message


def test_a_program_is_refused_whatever_its_name() -> None:
    message = refused("setup.exe", EXE)
    assert message.startswith("This kind of file cannot be accepted. You can send: PDF, JPEG")


def test_a_png_named_pdf_is_refused_as_mislabelled() -> None:
    message = refused("scan.pdf", png())
    assert "“scan.pdf” says it is a PDF file, but its content is a PNG image" in message
    assert ".png" in message


def test_a_pdf_named_jpg_is_refused_as_mislabelled() -> None:
    assert "but its content is a PDF file" in refused("photo.jpg", pdf())


def test_text_named_pdf_is_refused_as_mislabelled() -> None:
    assert "its content is plain text" in refused("letter.pdf", b"Dear ombuds,\n")


def test_a_file_without_an_extension_is_asked_for_one() -> None:
    message = refused("scan", pdf())
    assert "“scan” has no extension" in message
    assert "ending in .pdf" in message


def test_an_unknown_extension_on_an_accepted_content_is_asked_to_change() -> None:
    message = refused("photo.heic", jpeg())
    assert "does not match its content, which is a JPEG image" in message
    assert "ending in .jpg" in message


def test_only_the_last_part_of_a_path_counts_and_long_names_are_cut() -> None:
    assert check_file(filename="C:\\Users\\jane\\Desktop\\photo.jpg", content=jpeg()).kind == "jpeg"
    assert check_file(filename="../../etc/notes.txt", content=b"hi").kind == "text"
    message = refused("C:\\Users\\jane\\" + "x" * 300 + ".pdf", png())
    assert "jane" not in message
    assert "x" * 79 + "…" in message
    assert "x" * 80 not in message


def test_the_allowed_kinds_text_lists_every_kind() -> None:
    text = str(ALLOWED_KINDS_TEXT)
    for word in ("PDF", "JPEG", "PNG", "plain text", "Word", "Excel", "PowerPoint", "OpenDocument"):
        assert word in text
