from __future__ import annotations

import pytest

from widgets.renderer import render_widget

CASES = [
    ({"type": "Card", "children": [{"type": "Text", "value": "in card"}]}, 'class="ck-card"', "in card"),
    (
        {
            "type": "ListView",
            "children": [{"type": "ListViewItem", "children": [{"type": "Text", "value": "row"}]}],
        },
        'role="listitem"',
        "row",
    ),
    ({"type": "Basic", "children": [{"type": "Text", "value": "basic"}]}, 'data-type="Basic"', "basic"),
    ({"type": "Box", "children": []}, 'data-type="Box"', "ck-box"),
    ({"type": "Row", "gap": 3, "children": []}, "ck-row", "gap:12px"),
    ({"type": "Col", "children": []}, "ck-col", 'data-type="Col"'),
    ({"type": "Text", "value": "plain <b>"}, 'data-type="Text"', "plain &lt;b&gt;"),
    ({"type": "Title", "value": "Heading"}, "<h3", "Heading"),
    ({"type": "Caption", "value": "small print"}, "ck-caption", "small print"),
    ({"type": "Markdown", "value": "**bold** <script>x</script>"}, "<strong>bold</strong>", "&lt;script&gt;"),
    ({"type": "Badge", "label": "New", "color": "success"}, "ck-badge-success", "New"),
    ({"type": "Divider"}, "<hr", "ck-divider"),
    ({"type": "Spacer"}, "ck-spacer", 'aria-hidden="true"'),
    (
        {"type": "Image", "src": "https://example.com/a.png", "alt": "A"},
        'src="https://example.com/a.png"',
        'alt="A"',
    ),
    ({"type": "Icon", "name": "star"}, 'aria-label="star"', "★"),
    (
        {"type": "Button", "label": "Go", "onClickAction": {"type": "do.it"}},
        'data-action="do.it"',
        ">Go</button>",
    ),
    ({"type": "Form", "onSubmitAction": {"type": "send"}, "children": []}, "<form", 'data-action="send"'),
    ({"type": "Input", "name": "email", "placeholder": "Email"}, "<input", 'placeholder="Email"'),
    ({"type": "Textarea", "name": "notes", "rows": 4}, "<textarea", 'rows="4"'),
    (
        {"type": "Select", "name": "size", "options": [{"value": "s", "label": "Small"}]},
        "<select",
        '<option value="s">Small</option>',
    ),
    ({"type": "Checkbox", "name": "ok", "label": "Agree"}, 'type="checkbox"', "Agree"),
    ({"type": "RadioGroup", "name": "c", "options": [{"value": "r", "label": "Red"}]}, 'type="radio"', "Red"),
    ({"type": "DatePicker", "name": "day"}, 'type="date"', 'name="day"'),
    ({"type": "Label", "value": "Name", "fieldName": "name"}, "<label", 'for="name"'),
]


@pytest.mark.parametrize(("tree", "marker", "content"), CASES, ids=[case[0]["type"] for case in CASES])
def test_each_component_renders(tree, marker, content):
    html = render_widget(tree)

    assert marker in html
    assert content in html


def test_an_unknown_component_renders_as_a_labelled_box_with_its_children():
    html = render_widget(
        {
            "type": "Card",
            "children": [{"type": "Hologram", "children": [{"type": "Text", "value": "inside"}]}],
        }
    )

    assert 'class="ck-unknown" data-type="Hologram"' in html
    assert '<span class="ck-unknown-label">Hologram</span>' in html
    assert "inside" in html


def test_markdown_links_are_kept_only_for_http_urls():
    html = render_widget({"type": "Markdown", "value": "[ok](https://a.example) [bad](javascript:alert(1))"})

    assert '<a href="https://a.example"' in html
    assert "javascript:" not in html.split("[bad]")[0]
    assert '<a href="javascript' not in html
