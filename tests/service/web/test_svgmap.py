"""Server-side SVG maps from the shipped boundaries."""

from __future__ import annotations

import re

from service.web.svgmap import Marker, bbox_of, render_map, shapes


def test_germany_map_has_every_district_and_stays_small():
    svg = str(render_map([(shapes("districts"), {"15083": "#f6d28b"}, "#eeeeee")], title="Kreise <&>", width=560))
    paths = re.findall(r'<path d="[^"]+" fill="(#[0-9a-f]{6})"><title>([^<]*)</title>', svg)
    assert len(paths) == 400
    assert ("#f6d28b", "Börde") in paths
    assert "Kreise &lt;&amp;&gt;" in svg  # titles are escaped
    assert len(svg) < 200_000


def test_markers_are_placed_by_longitude_and_latitude():
    haldensleben, magdeburg = (11.41, 52.29), (11.63, 52.13)
    box = bbox_of([haldensleben, magdeburg])
    svg = str(render_map([(shapes("districts"), {}, "#eee")], title="t", bbox=box, width=400, markers=[
        Marker(*haldensleben, "1", "Haldensleben"), Marker(*magdeburg, "2", "Magdeburg"),
    ]))
    (x1, y1), (x2, y2) = [(int(a), int(b)) for a, b in re.findall(r'<circle class="centre" cx="(\d+)" cy="(\d+)"', svg)]
    assert x1 < x2 and y1 < y2  # west and north of Magdeburg
    assert 0 <= x1 <= 400 and 0 <= x2 <= 400
