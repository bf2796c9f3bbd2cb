"""Stage 1: every supported format is read into the report text the later stages quote from.

Documents are built in a temporary directory from the sample reports (read
at test time, never copied into the repository), so each test knows exactly
which text must come back.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govledger.read import normalize_text, read_report
from govledger.read.formats import _join_paragraphs, _PdfLine, html_to_text
from govledger.read.furniture import load_furniture_patterns
from govledger.read.normalize import _MAP, normalize_char

REPORTS = Path(os.environ.get("GOVLEDGER_REPORTS", Path(__file__).resolve().parents[2] / "shared" / "reports"))
needs_reports = pytest.mark.skipif(not (REPORTS / "yaan_2024.txt").exists(), reason="sample reports not available")


def report_lines(name: str, n: int | None = None, *, nonblank: bool = False) -> list[str]:
    """The first ``n`` lines of a sample report."""
    lines = (REPORTS / name).read_text(encoding="utf-8").split("\n")
    if nonblank:
        lines = [line.strip() for line in lines if line.strip()]
    return lines[:n] if n else lines


# --------------------------------------------------------------------------- txt


@needs_reports
def test_utf8_txt_is_returned_verbatim(tmp_path: Path) -> None:
    original = (REPORTS / "yaan_2024.txt").read_text(encoding="utf-8")
    src = read_report(REPORTS / "yaan_2024.txt")
    assert src.text == original
    assert (src.doc, src.format) == ("yaan_2024", "txt")


@needs_reports
def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    original = (REPORTS / "guangyuan_2024.txt").read_text(encoding="utf-8")
    path = tmp_path / "guangyuan_bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + original.encode("utf-8"))
    assert read_report(path).text == original


@needs_reports
def test_crlf_line_endings_become_newlines(tmp_path: Path) -> None:
    original = (REPORTS / "yaan_2024.txt").read_text(encoding="utf-8")
    path = tmp_path / "yaan_crlf.txt"
    path.write_bytes(original.replace("\n", "\r\n").encode("utf-8"))
    assert read_report(path).text == original


def test_html_source_saved_as_txt_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "saved.txt"
    path.write_text("<!DOCTYPE html><html><body><nav>首页</nav><p>各位代表：</p><p>经济增长5%左右。</p></body></html>", encoding="utf-8")
    src = read_report(path)
    assert (src.format, src.text) == ("html", "各位代表：\n经济增长5%左右。")


# --------------------------------------------------------------------------- docx


def build_docx(path: Path, blocks: list[str | list[list[str]]]) -> None:
    """A .docx with one paragraph per string and one table per list of rows."""
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for r, row in enumerate(block):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    document.save(str(path))


@needs_reports
def test_docx_paragraphs_one_per_line(tmp_path: Path) -> None:
    lines = report_lines("yaan_2024.txt", 30)
    path = tmp_path / "yaan_2024.docx"
    build_docx(path, list(lines))
    src = read_report(path)
    assert src.format == "docx"
    assert src.text.split("\n") == lines


def test_docx_table_cells_are_lines_in_document_order(tmp_path: Path) -> None:
    path = tmp_path / "minsheng.docx"
    rows = [["序号", "民生实事", "年度目标"], ["1", "新改建农村公路", "1000公里以上"], ["2", "城镇新增就业", "2.5万人"]]
    build_docx(path, ["各位代表：", "今年将办好以下民生实事：", rows, "各位代表！让我们团结奋斗。"])
    text = read_report(path).text
    assert text.split("\n") == [
        "各位代表：",
        "今年将办好以下民生实事：",
        "序号", "民生实事", "年度目标",
        "1", "新改建农村公路", "1000公里以上",
        "2", "城镇新增就业", "2.5万人",
        "各位代表！让我们团结奋斗。",
    ]


def test_docx_merged_cells_appear_once(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("2024年民生实事")
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 2))
    merged.text = "一、实施交通惠民工程"
    for c, value in enumerate(["年度目标", "新改建农村公路1万公里", "主办单位：省交通运输厅"]):
        table.cell(1, c).text = value
    path = tmp_path / "merged.docx"
    document.save(str(path))
    lines = read_report(path).text.split("\n")
    assert lines == ["2024年民生实事", "一、实施交通惠民工程", "年度目标", "新改建农村公路1万公里", "主办单位：省交通运输厅"]


# --------------------------------------------------------------------------- pdf

PDF_HEADER = "雅安市人民政府工作报告（送审稿）"


def build_pdf(path: Path, paragraphs: list[str], *, header: str = PDF_HEADER, size: float = 12, width: float = 360) -> int:
    """Typeset ``paragraphs`` like a printed report: first-line indent, lines filled to the
    measure, a running header and a ``- N -`` page number on every page. Returns the page count.

    reportlab's STSong-Light (a built-in CID font) maps U+00B7 (·, as in “6·1”)
    to no glyph; U+30FB is drawn instead and extracts as U+00B7.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    c = canvas.Canvas(str(path), pagesize=A4)
    page_w, page_h = A4
    left, top, bottom, leading = 72.0, page_h - 80, 80.0, size * 1.6
    page, y = 1, top

    def furniture() -> None:
        c.setFont(font, 9)
        c.drawCentredString(page_w / 2, page_h - 45, header)
        c.drawCentredString(page_w / 2, 40, f"- {page} -")
        c.setFont(font, size)

    furniture()
    for para in paragraphs:
        rest, indent = para, 2 * size
        while rest:
            n = 1
            while n < len(rest) and pdfmetrics.stringWidth(rest[: n + 1], font, size) <= width - indent:
                n += 1
            line, rest = rest[:n], rest[n:]
            if y < bottom:
                c.showPage()
                page, y = page + 1, top
                furniture()
            c.drawString(left + indent, y, line.replace("\u00b7", "\u30fb"))
            y -= leading
            indent = 0
    c.showPage()
    c.save()
    return page


@needs_reports
@pytest.mark.parametrize("name", ["yaan_2024.txt", "guangyuan_2024.txt", "beijing_2025.txt"])
def test_pdf_paragraphs_rejoined_without_page_furniture(tmp_path: Path, name: str) -> None:
    paragraphs = report_lines(name, 20, nonblank=True)
    path = tmp_path / "report.pdf"
    pages = build_pdf(path, paragraphs)
    assert pages >= 3  # page breaks fall inside paragraphs and headers repeat
    src = read_report(path)
    assert src.format == "pdf"
    assert src.text.split("\n") == paragraphs
    assert PDF_HEADER not in src.text
    assert not re.search(r"^- \d+ -$", src.text, re.M)


def test_pdf_short_heading_lines_are_not_joined(tmp_path: Path) -> None:
    paragraphs = [
        "各位代表：",
        "2024年主要工作安排",
        "今年经济社会发展的主要预期目标是：地区生产总值增长6%左右，规模以上工业增加值增长8%左右，"
        "全社会固定资产投资增长6%，社会消费品零售总额增长7%，城镇调查失业率控制在5.5%以内。",
        "一、全力以赴抓项目扩投资",
        "坚持项目为王",
    ]
    path = tmp_path / "plan.pdf"
    build_pdf(path, paragraphs)
    assert read_report(path).text.split("\n") == paragraphs


def pdf_lines(*rows: tuple[str, float, float], size: float = 12.0) -> list[_PdfLine]:
    """Synthetic PDF lines ``(text, x0, x1)`` 19 pt apart on one page."""
    return [_PdfLine(text, x0, x1, 100 + 19 * i, 112 + 19 * i, size, 0) for i, (text, x0, x1) in enumerate(rows)]


def test_pdf_join_rules_on_geometry() -> None:
    left, right = 72.0, 432.0
    lines = pdf_lines(
        ("二、2024年主要工作安排", 96, 360),  # indented heading, short: ends its paragraph
        ("全市地区生产总值增长6%左右，全社会固定资产投资增长", 96, right),  # indented first line, full
        ("6%，规模以上工业增加值增长8%。城镇新增就业2.5万人，", left, right),  # full, ends with ，
        ("农村居民人均可支配收入增长7.5%，达到", left, 380),  # long but short of the margin (number pushed)
        ("12345.67元。", left, 150),  # paragraph end: short, terminal
        ("（一）稳增长", left, 150),  # heading at the margin
        ("加快先进制造业集群发展。全力推进重点项目建设，确保GDP", left, right),
        ("growth target met。", left, 200),
    )
    assert _join_paragraphs(lines) == [
        "二、2024年主要工作安排",
        "全市地区生产总值增长6%左右，全社会固定资产投资增长6%，规模以上工业增加值增长8%。城镇新增就业2.5万人，"
        "农村居民人均可支配收入增长7.5%，达到12345.67元。",
        "（一）稳增长",
        "加快先进制造业集群发展。全力推进重点项目建设，确保GDP growth target met。",
    ]


def test_pdf_join_stops_at_a_wider_gap_and_at_short_lines_ending_a_sentence() -> None:
    lines = pdf_lines(
        ("第一段文字很长很长很长很长很长很长很长很长很长很长很长很长很长很长", 72, 432),
        ("到此结束。", 72, 140),
        ("第二段没有缩进，也没有标点但是很短", 72, 250),
        ("第三段", 72, 120),
    )
    lines.append(_PdfLine("隔开一个大空白的下一段", 72, 432, lines[-1].bottom + 40, lines[-1].bottom + 52, 12.0, 0))
    assert _join_paragraphs(lines) == [
        "第一段文字很长很长很长很长很长很长很长很长很长很长很长很长很长很长到此结束。",
        "第二段没有缩进，也没有标点但是很短",
        "第三段",
        "隔开一个大空白的下一段",
    ]


def test_pdf_page_numbers_in_other_styles_are_dropped() -> None:
    fp = load_furniture_patterns()
    for line in ["- 3 -", "—12—", "3", "第3页", "第 3 页 共 20 页", "3/20", "Page 3 of 20", "－ 七 －"]:
        assert fp.is_page_number(line), line
    for line in ["2024年", "增长3%", "（三）", "3.加快建设"]:
        assert not fp.is_page_number(line), line


# --------------------------------------------------------------------------- html

GOV_PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{title}_人民政府网站</title>
<style>.zoom {{ font-size: 16px }}</style><script>var share = "分享到微信";</script></head>
<body>
<div class="header"><a href="/">雅安市人民政府</a><ul class="nav-menu"><li>首页</li><li>政务公开</li><li>政务服务</li></ul></div>
<div class="breadcrumb">当前位置：<a>首页</a> &gt; <a>政务公开</a> &gt; 政府工作报告</div>
<div class="article">
  <h1 class="article-title">{title}</h1>
  <div class="info">来源：雅安日报　发布时间：2024-01-15 09:30</div>
  <div class="tools">下载 打印 全屏 收藏 【字号：<a>加大</a> <a>还原</a> <a>减小</a>】</div>
  <div class="bdshare_t">分享到：<a>微信</a><a>微博</a></div>
  <div id="zoom">
    <div class="TRS_Editor">
{paragraphs}
    </div>
    <p class="editor">责任编辑：张三</p>
  </div>
  <div class="print-close">【<a>打印本页</a>】【<a>关闭窗口</a>】</div>
  <div class="related"><h3>相关报道</h3><ul><li><a>雅安市五届人大三次会议开幕</a></li></ul></div>
  <div class="qrcode">扫一扫在手机打开当前页</div>
</div>
<div class="footer">主办：雅安市人民政府办公室 版权所有 网站标识码5118000001</div>
</body></html>
"""


def wrap_source(text: str, every: int = 40) -> str:
    """Break ``text`` across source lines as a CMS does, only between two CJK characters."""
    out, run = [], 0
    for i, ch in enumerate(text):
        out.append(ch)
        run += 1
        nxt = text[i + 1 : i + 2]
        if run >= every and "\u4e00" <= ch <= "\u9fff" and "\u4e00" <= nxt <= "\u9fff":
            out.append("\n        ")
            run = 0
    return "".join(out)


def gov_page(paragraphs: list[str], charset: str = "utf-8", title: str = "2024年雅安市政府工作报告") -> str:
    """A page shaped like a municipal government site, the report inside TRS_Editor.

    Paragraphs are wrapped in the HTML source (as CMS output is) and carry
    inline markup, which must not break them.
    """
    body = []
    for para in paragraphs:
        head, stop, tail = para.partition("。")
        marked = f"<strong>{head}{stop}</strong>{wrap_source(tail)}" if stop and tail else wrap_source(para)
        body.append(f'      <p style="text-indent:2em">&nbsp;&nbsp;{marked}</p>')
    return GOV_PAGE.format(charset=charset, title=title, paragraphs="\n".join(body))


@needs_reports
def test_html_government_page_keeps_only_the_report(tmp_path: Path) -> None:
    paragraphs = report_lines("yaan_2024.txt", 12, nonblank=True)
    path = tmp_path / "yaan_2024.html"
    path.write_text(gov_page(paragraphs), encoding="utf-8")
    src = read_report(path)
    assert src.format == "html"
    assert src.text.split("\n") == ["2024年雅安市政府工作报告", *paragraphs]
    for furniture in ("首页", "当前位置", "来源", "字号", "分享", "责任编辑", "打印本页", "相关报道", "扫一扫", "版权所有"):
        assert furniture not in src.text


@needs_reports
def test_html_declared_gb2312_page_is_decoded(tmp_path: Path) -> None:
    paragraphs = report_lines("guangyuan_2024.txt", 8, nonblank=True)
    path = tmp_path / "guangyuan_2024.htm"
    path.write_bytes(gov_page(paragraphs, charset="gb2312", title="2024年广元市政府工作报告").encode("gbk"))
    assert read_report(path).text.split("\n") == ["2024年广元市政府工作报告", *paragraphs]


def test_html_resaved_as_utf8_with_stale_gb2312_declaration(tmp_path: Path) -> None:
    path = tmp_path / "resaved.html"
    path.write_text(gov_page(["各位代表：", "预计全市地区生产总值增长6%。"], charset="gb2312"), encoding="utf-8")
    assert read_report(path).text.split("\n") == ["2024年雅安市政府工作报告", "各位代表：", "预计全市地区生产总值增长6%。"]


def test_html_without_known_container_falls_back_to_body() -> None:
    html = (
        "<html><body><div id='topnav'><a>首页</a><a>新闻</a></div>"
        "<table><tr><td class='left-menu'>政务公开</td><td>"
        "<p>各位代表：</p><p>预计全市地区生产总值<span>增长6%</span>，\n  城镇新增就业2.5万人。</p>"
        "<p>一、主要目标<br>经济增长6%左右</p>"
        "</td></tr></table><div class='share-box'>分享到：</div></body></html>"
    )
    assert html_to_text(html).split("\n") == ["各位代表：", "预计全市地区生产总值增长6%，城镇新增就业2.5万人。", "一、主要目标", "经济增长6%左右"]


@pytest.mark.parametrize("container", ['div id="zoom"', 'div class="view TRS_UEDITOR trs_paper_default"', "article"])
def test_html_other_content_containers(container: str) -> None:
    tag = container.split()[0]
    html = (
        "<html><body><div class='menu'><a>首页</a><a>要闻</a><a>政务公开</a><a>互动交流</a></div>"
        "<div class='content'><div class='sidebar'>热点专题：优化营商环境</div>"
        f"<{container}><p>各位代表：</p><p>全年城镇新增就业2.5万人。</p><div>（一）稳增长</div></{tag}>"
        "<div class='content'>网站地图</div></div></body></html>"
    )
    assert html_to_text(html).split("\n") == ["各位代表：", "全年城镇新增就业2.5万人。", "（一）稳增长"]


def test_plain_text_saved_with_html_name_keeps_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("各位代表：\n现在，我代表市人民政府向大会报告工作。\n", encoding="utf-8")
    src = read_report(path)
    assert (src.format, src.text) == ("txt", "各位代表：\n现在，我代表市人民政府向大会报告工作。\n")


def test_html_hidden_and_furniture_classes_dropped_but_not_the_content() -> None:
    html = (
        "<body><div class='content print-area'><p>各位代表：</p><p>今年主要预期目标是：经济增长5%左右。</p>"
        "<p style='display:none'>隐藏文字</p><div class='article-share'>分享</div></div></body>"
    )
    assert html_to_text(html).split("\n") == ["各位代表：", "今年主要预期目标是：经济增长5%左右。"]


@needs_reports
@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_whole_report_survives_every_format(tmp_path: Path, fmt: str) -> None:
    """The full Ya'an report, converted, reads back paragraph for paragraph."""
    lines = report_lines("yaan_2024.txt")
    paragraphs = [line.strip() for line in lines if line.strip()]
    path = tmp_path / f"yaan_2024.{fmt}"
    if fmt == "docx":
        build_docx(path, list(lines))
        expected = lines
    elif fmt == "pdf":
        build_pdf(path, paragraphs)
        expected = paragraphs
    else:
        path.write_text(gov_page(paragraphs), encoding="utf-8")
        expected = ["2024年雅安市政府工作报告", *paragraphs]
    src = read_report(path)
    assert (src.doc, src.format) == ("yaan_2024", fmt)
    assert src.text.split("\n") == expected


# --------------------------------------------------------------------------- furniture


def test_furniture_lines_from_saved_pages() -> None:
    fp = load_furniture_patterns()
    for line in [
        "下载", "打印", "全屏", "收藏", "【字号：", "加大", "还原", "减小", "】", "下载 打印 全屏 收藏 【字号：加大 还原 减小】",
        "责任编辑：李四", "来源：四川日报", "来源:", "相关报道：", "扫一扫在手机打开当前页", "打印本页", "关闭窗口",
        "【 打印本页 】 【 关闭窗口 】", "分享到:", "分享到微信", "当前位置：首页 > 政务信息", "2026-02-09 09:45:30",
        "（来源：青海日报）", "be341a59f1dd422394845dcb3fce09dc:", "王正谱作政府工作报告。本报记者 霍艳恩摄",
    ]:
        assert fp.is_furniture(line), line
    for line in ["各位代表：", "2024年主要工作安排", "一、全力以赴抓项目", "政府工作报告", "大力发展数字经济。"]:
        assert not fp.is_furniture(line), line
    assert fp.is_tail_marker("相关报道：") and not fp.is_tail_marker("各位代表！")
    assert "TRS_Editor" in " ".join(fp.html_content_selectors)


@needs_reports
@pytest.mark.parametrize("path", sorted(REPORTS.glob("*.txt")), ids=lambda p: p.stem)
def test_no_report_body_line_is_furniture(path: Path) -> None:
    """From 各位代表： to the closing rally every line is the report: none may look like furniture."""
    fp = load_furniture_patterns()
    lines = normalize_text(path.read_text(encoding="utf-8")).split("\n")
    opening = re.compile(r"^[\s\u3000]*各位代表[：:]")
    closing = re.compile(r"^[\s\u3000]*各位代表[！!，,]")
    start = next((i for i, line in enumerate(lines) if opening.match(line)), 0)
    ends = [i for i, line in enumerate(lines) if closing.match(line)]
    end = ends[-1] if ends else len(lines)
    flagged = [line for line in lines[start : end + 1] if fp.is_furniture(line)]
    assert flagged == []


@needs_reports
def test_saved_page_furniture_is_recognised_in_a_sample() -> None:
    fp = load_furniture_patterns()
    head = (REPORTS / "jiangsu_2026.txt").read_text(encoding="utf-8").split("\n")[:9]
    assert all(fp.is_furniture(line) for line in head), head


# --------------------------------------------------------------------------- normalisation


def test_fullwidth_digits_and_percent_become_ascii() -> None:
    assert normalize_text("增长６．５％，达到１２３４亿元") == "增长6.5%，达到1234亿元"
    assert normalize_text("ＧＤＰ增长５％－６％") == "GDP增长5%-6%"
    assert normalize_char("％") == "%" and normalize_char("中") == "中"


def test_normalisation_keeps_chinese_punctuation_and_offsets() -> None:
    text = "各位代表：\r\n“6·1”芦山地震，增长4.5%—5%。"
    norm = normalize_text(text)
    assert len(norm) == len(text)
    assert norm.index("芦山") == text.index("芦山")
    assert "：" in norm and "“6·1”" in norm and "—" in norm


def test_normalisation_table_is_one_char_for_one() -> None:
    assert all(len(k) == 1 and len(v) == 1 for k, v in _MAP.items())


@given(st.text())
def test_normalize_text_preserves_length(s: str) -> None:
    assert len(normalize_text(s)) == len(s)


@given(st.text(alphabet=st.sampled_from(sorted(_MAP) + list("0123456789%.各位代表增长，。 \n"))))
def test_normalize_text_is_idempotent_and_charwise(s: str) -> None:
    once = normalize_text(s)
    assert normalize_text(once) == once
    assert once == "".join(normalize_char(ch) for ch in s)
