"""Assembling the gap report page from fitted analytics (shared by the CLI and the API).

``regiomatch gaps --html FILE`` and ``GET /gaps/report`` both call
:func:`gaps_report_html`; it gathers what :func:`service.report_html.render_gap_report`
draws (boundaries, scores per district and municipality, centres, the network and
its layout) from a fitted ``GapAnalyser`` and ``CentreNetwork``.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["gaps_report_html", "network_layout"]


def gaps_report_html(analyser: Any, report: Any, network: Any, summary: Any, topic: str | None = None) -> str:
    """The self-contained HTML page for ``report`` (from ``analyser.report``), with the
    fitted ``network`` (a ``CentreNetwork``) and its ``summary`` (``network.summary(...)``)."""
    from graph.dataset.compact import geometry
    from service.report_html import render_gap_report

    g = network.graph_
    community = {c.id: com.id for com in summary.communities for c in com.centres}
    pos = network_layout(g)
    nodes = {n: (d["name"], pos[n][0], pos[n][1], community.get(n, 0)) for n, d in g.nodes(data=True)}
    centres = [(c.name, c.lat, c.lon) for c in analyser.centres_]
    inset = [(c.name, c.lat, c.lon) for c in analyser.centres_ if c.state_ags == "15"]
    return render_gap_report(
        report, summary,
        district_layer=geometry("districts"),
        municipality_layer=geometry("st-municipalities"),
        district_scores=analyser.scores("district", topic),
        municipality_scores=analyser.scores("municipality", topic),
        centres=centres,
        inset_centres=inset,
        network_nodes=nodes,
        network_edges=sorted(tuple(sorted(e)) for e in g.edges),
        topic_label=report.topics[0].label if topic else None,
    )


def network_layout(g: Any) -> dict[str, tuple[float, float]]:
    """Positions in [0, 1]² for the nodes of the networkx graph ``g``: the largest component
    by a spring layout (seed 42) on top, smaller components side by side below it, nodes
    without links in the bottom row. Deterministic for a given graph."""
    import networkx as nx

    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c))
    linked = [c for c in comps if len(c) > 1]
    alone = [c[0] for c in comps if len(c) == 1]
    out: dict[str, tuple[float, float]] = {}

    def place(nodes: list[str], x0: float, y0: float, w: float, h: float) -> None:
        sub = g.subgraph(nodes)
        pos = nx.spring_layout(sub, seed=42, k=1.5 / math.sqrt(len(nodes)), iterations=100)
        xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
        sx, sy = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        out.update({n: (x0 + w * (p[0] - min(xs)) / sx, y0 + h * (p[1] - min(ys)) / sy) for n, p in pos.items()})

    if linked:
        place(linked[0], 0.0, 0.0, 1.0, 0.75 if len(linked) > 1 or alone else 1.0)
        for i, comp in enumerate(linked[1:]):
            step = 1.0 / (len(linked) - 1)
            place(comp, i * step + 0.1 * step, 0.8, 0.8 * step, 0.1)
    for i, n in enumerate(alone):
        out[n] = ((i + 0.5) / len(alone), 1.0)
    return out
