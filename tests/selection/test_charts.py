"""The server-rendered SVG bar chart of the open wave statistics (issue 16, item 5)."""

import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from prakerja.selection.charts import bar_chart_svg

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup):
    return ET.fromstring(str(markup))


def _rows(root):
    return root.findall("svg:g", NS)


def _bar_width(group):
    rect = group.find("svg:rect", NS)
    return None if rect is None else float(rect.get("width"))


def _texts(element):
    return [t.text for t in element.iter(f"{SVG}text")]


def test_parses_as_svg_and_is_accessible():
    markup = bar_chart_svg([("Jawa Barat", 120, "120"), ("Bali", 30, "30")], title="Pendaftar", value_label="Orang")
    assert isinstance(markup, SafeString)
    root = _parse(markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 ")
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title.text == "Pendaftar"
    assert "Jawa Barat: 120" in desc.text and "Bali: 30" in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    groups = _rows(root)
    assert [_texts(g) for g in groups] == [["Jawa Barat", "120"], ["Bali", "30"]]


def test_labels_are_escaped():
    label = "<script>alert('x')</script> & \"co\""
    markup = bar_chart_svg([(label, 5, "<b>5</b>")], title="<i>t</i>", value_label="a & b")
    assert "<script>" not in markup
    assert "<b>" not in markup and "<i>" not in markup
    assert "&lt;script&gt;" in markup
    root = _parse(markup)  # still well-formed XML
    assert _texts(_rows(root)[0]) == [label, "<b>5</b>"]
    assert root.find("svg:title", NS).text == "<i>t</i>"


def test_characters_xml_forbids_are_dropped():
    root = _parse(bar_chart_svg([("a\x00b\x1fc", 1, "1")], title="t", value_label="v"))
    assert _texts(_rows(root)[0])[0] == "abc"


def test_bar_widths_are_proportional_to_values():
    root = _parse(
        bar_chart_svg(
            [("a", 200, "200"), ("b", 100, "100"), ("c", 50, "50"), ("d", 0, "0")], title="t", value_label="v"
        )
    )
    widths = [_bar_width(g) for g in _rows(root)]
    assert widths[0] > 0
    assert widths[1] == pytest.approx(widths[0] / 2, abs=0.01)
    assert widths[2] == pytest.approx(widths[0] / 4, abs=0.01)
    assert widths[3] == 0
    view_width = float(root.get("viewBox").split()[2])
    assert widths[0] <= view_width
    # Each value's text sits just after its own bar's end.
    for group, width in zip(_rows(root), widths, strict=True):
        value_text = group.findall("svg:text", NS)[1]
        assert float(value_text.get("x")) > width


def test_a_suppressed_value_shows_its_text_and_no_bar():
    root = _parse(bar_chart_svg([("Jawa Barat", 800, "800"), ("Papua", None, "<10")], title="t", value_label="v"))
    suppressed = _rows(root)[1]
    assert _bar_width(suppressed) is None  # no rect at all
    assert _texts(suppressed) == ["Papua", "<10"]
    assert "Papua: <10" in root.find("svg:desc", NS).text
    assert len(root.findall(".//svg:rect", NS)) == 1


def test_only_suppressed_values_draw_no_bars():
    root = _parse(bar_chart_svg([("a", None, "<10"), ("b", None, "<10")], title="t", value_label="v"))
    assert root.findall(".//svg:rect", NS) == []


def test_no_rows_gives_a_valid_svg_saying_there_is_no_data():
    from django.utils import translation

    with translation.override("id"):  # the default language
        root = _parse(bar_chart_svg([], title="Pendaftar", value_label="Orang"))
    assert root.get("role") == "img"
    assert root.findall(".//svg:rect", NS) == []
    assert "Tidak ada data" in _texts(root)
    assert "Tidak ada data" in root.find("svg:desc", NS).text
    root = _parse(bar_chart_svg([], title="t", value_label="v", empty_text="Belum ada data"))
    assert "Belum ada data" in _texts(root)


def test_no_script_handlers_styles_or_external_references():
    markup = str(bar_chart_svg([("a", 3, "3"), ("b", None, "<10")], title="t", value_label="v"))
    lowered = markup.lower()
    for forbidden in ("<script", " on", " style=", "<style", "href", "url(", "<image", "<foreignobject"):
        assert forbidden not in lowered, forbidden
    root = _parse(markup)
    for element in root.iter():
        assert not any(name.lower().startswith("on") for name in element.attrib)


def test_output_is_deterministic_and_ids_differ_between_charts():
    rows = [("a", 3, "3"), ("b", 1, "1")]
    first = bar_chart_svg(rows, title="t", value_label="v")
    assert first == bar_chart_svg(list(rows), title="t", value_label="v")
    other = bar_chart_svg(rows, title="another", value_label="v")
    assert _parse(first).find("svg:title", NS).get("id") != _parse(other).find("svg:title", NS).get("id")
    named = _parse(bar_chart_svg(rows, title="t", value_label="v", chart_id='x" onload="y'))
    assert named.find("svg:title", NS).get("id") == "x--onload--y-title"


def test_long_labels_are_shortened_on_screen_but_complete_for_assistive_technology():
    label = "Provinsi " + "sangat " * 20 + "panjang"
    root = _parse(bar_chart_svg([(label, 1, "1")], title="t", value_label="v"))
    shown = _texts(_rows(root)[0])[0]
    assert len(shown) <= 48 and shown.endswith("\u2026")
    assert label in root.find("svg:desc", NS).text
    assert _rows(root)[0].find("svg:title", NS).text == f"{label}: 1"


def test_rejects_negative_values():
    with pytest.raises(ValueError):
        bar_chart_svg([("a", -1, "-1")], title="t", value_label="v")


def test_a_template_outputs_it_unescaped():
    markup = bar_chart_svg([("a", 1, "1")], title="t", value_label="v")
    rendered = Template("{{ chart }}").render(Context({"chart": markup}))
    assert rendered == str(markup)
