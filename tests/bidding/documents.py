"""Small real files carrying the metadata office tools write (author, creator tool, times): PDF
through pypdf's writer, and the OOXML and OFD packages as zip files with their XML parts."""

from __future__ import annotations

import io
import zipfile

from pypdf import PdfWriter

CREATED = "D:20261120093000+08'00'"
MODIFIED = "D:20261125180211+08'00'"


def pdf_with(
    author: str | None,
    *,
    title: str = "技术标",
    tool: str = "WPS Office",
    created: str | None = CREATED,
    modified: str | None = MODIFIED,
) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    info = {"/Title": title, "/Creator": tool}
    info |= {"/Author": author} if author else {}
    info |= {"/CreationDate": created} if created else {}
    info |= {"/ModDate": modified} if modified else {}
    writer.add_metadata(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_with(
    author: str, last_modified_by: str, created: str, modified: str, body: str = "技术方案"
) -> bytes:
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{author}</dc:creator><cp:lastModifiedBy>{last_modified_by}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Office Word</Application><AppVersion>16.0000</AppVersion></Properties>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("docProps/core.xml", core)
        package.writestr("docProps/app.xml", app)
        package.writestr("word/document.xml", f"<document><body>{body}</body></document>")
    return out.getvalue()


def ofd_with(author: str, created: str = "2026-11-20", modified: str = "2026-11-25") -> bytes:
    root = (
        '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.1" DocType="OFD"><ofd:DocBody>'
        f"<ofd:DocInfo><ofd:DocID>a1</ofd:DocID><ofd:Author>{author}</ofd:Author>"
        f"<ofd:CreationDate>{created}</ofd:CreationDate><ofd:ModDate>{modified}</ofd:ModDate>"
        "<ofd:Creator>数科OFD版式办公套件</ofd:Creator><ofd:CreatorVersion>3.0</ofd:CreatorVersion>"
        "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("OFD.xml", root)
        package.writestr("Doc_0/Document.xml", "<ofd:Document xmlns:ofd='http://www.ofdspec.org/2016'/>")
    return out.getvalue()
