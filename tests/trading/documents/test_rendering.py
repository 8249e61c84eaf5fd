"""The worker's function on its own: a long document's page numbers, the letterhead's fonts, the
signature, and that a glyph no font has is caught both before rendering and in the PDF."""

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import START
from tests.trading.documents.pdfcheck import read_pdf
from trading.documents import fonts
from trading.documents.rendering import MissingGlyphs, RenderJob, html_to_pdf, render_and_sign
from trading.documents.signer import load_or_create
from trading.documents.validation import check_signature

TEMPLATES = str(Path(__file__).parents[3] / "trading" / "documents" / "templates")
PARAGRAPH = "本招标项目已批准建设，招标人为江宁城市建设投资集团有限公司，现对施工总承包进行公开招标。" * 3


def job(tmp_path: Path, paragraphs: int, body: str = PARAGRAPH) -> tuple[RenderJob, object]:
    signer = load_or_create(tmp_path / "documents", center="南京市公共资源交易中心", at=START)
    document = {
        "number": "文书〔2026〕000042",
        "code": "K1CF-024V-QFNF",
        "verify_url": "https://ggzy.example.gov.cn/verify/K1CF-024V-QFNF",
        "title": "江宁区城南中学教学楼新建工程施工招标公告",
        "kind_zh": "招标（采购、出让）公告",
        "kind_en": "call for bids",
        "issued_at": START.astimezone(dt.UTC),
        "issuer": "王敏",
        "center": "南京市公共资源交易中心",
        "supersedes": None,
        "reason": None,
    }
    data = {
        "project_name": "江宁区城南中学教学楼新建工程",
        "project_code": "GC-2026-0001",
        "sector": "construction",
        "sector_zh": "工程建设",
        "region": "江宁区",
        "published_at": START,
        "new_bid_deadline": None,
        "publicity_end": None,
        "winner": None,
        "sections": [],
        "paragraphs": [f"{n}. {body}" for n in range(1, paragraphs + 1)],
    }
    return (
        RenderJob(
            template_dirs=(TEMPLATES,),
            template="announcement.html",
            language="zh-CN",
            zone="Asia/Shanghai",
            document=document,
            data=data,
            signer=signer.files,
            reason="招标公告 文书〔2026〕000042",
        ),
        signer,
    )


def test_a_twenty_page_document_numbers_its_pages_and_is_signed(tmp_path):
    # Synchronous, as in the worker process: pyHanko runs its own event loop.
    render_job, signer = job(tmp_path, paragraphs=220)
    rendered = render_and_sign(render_job)
    facts = read_pdf(rendered.pdf)
    assert rendered.pages == facts.pages >= 20
    flat = facts.text.replace(" ", "")
    assert f"第20页共{facts.pages}页" in flat
    assert flat.count("文书〔2026〕000042") >= facts.pages  # the number in every page's header
    assert "2026-03-0209:00" in flat  # Beijing time, as people read it
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"} <= facts.fonts and facts.bad_glyphs == []
    assert check_signature(rendered.pdf, signer.ca).valid


def test_a_glyph_no_font_has_is_found_before_and_after_rendering(tmp_path):
    rare = "\U0002a700"  # CJK Extension C: no Noto CJK face draws it
    assert fonts.missing(f"招标公告 {rare}氏 abc") == rare
    with pytest.raises(MissingGlyphs):
        render_and_sign(job(tmp_path, paragraphs=1, body=f"{rare}氏建设有限公司")[0])
    # Drawn anyway (bypassing the check), WeasyPrint says nothing and the ToUnicode map still
    # names the character (pdftotext prints it): only the glyphs tell it was drawn as a box.
    pdf, _ = html_to_pdf(f'<html lang="zh-CN"><body>招标人：{rare}氏建设有限公司</body></html>')
    facts = read_pdf(pdf)
    assert facts.bad_glyphs == [rare]
