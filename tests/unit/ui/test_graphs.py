from __future__ import annotations

from flinkops.ui._graphs import dag_edges, dag_graph, layers, lineage_graph


def _vertex(vid: str, rate: float | None = None) -> dict[str, object]:
    return {"id": vid, "name": f"op {vid}", "records_out_per_second": rate}


def test_layers_are_longest_paths_and_cycles_do_not_hang() -> None:
    assert layers(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")]) == {
        "a": 0, "b": 1, "c": 2, "d": 3,
    }  # fmt: skip
    assert set(layers(["x", "y"], [("x", "y"), ("y", "x")])) == {"x", "y"}


def test_dag_edges_from_flinks_plan() -> None:
    plan = {
        "nodes": [{"id": "src"}, {"id": "agg", "inputs": [{"id": "src", "ship_strategy": "HASH"}]}]
    }
    assert dag_edges(plan) == [{"from": "src", "to": "agg", "ship_strategy": "HASH"}]
    assert dag_edges({}) == []


def test_dag_graph_places_downstream_to_the_right_and_labels_edges_with_rates() -> None:
    g = dag_graph(
        [_vertex("src", 12.5), _vertex("agg")],
        [{"from": "src", "to": "agg", "ship_strategy": "HASH"}],
    )
    boxes = {b.key: b for b in g.boxes}
    assert boxes["agg"].x > boxes["src"].x + boxes["src"].w
    (edge,) = g.paths
    assert (edge.source, edge.target, edge.label) == ("src", "agg", "HASH · 12.5/s")
    assert edge.d.startswith(f"M{boxes['src'].x + boxes['src'].w:.1f},")
    assert g.width >= boxes["agg"].x + boxes["agg"].w


def test_lineage_graph_draws_columns_and_the_cross_job_edge() -> None:
    lineage = {
        "tables": [
            {"job": "a", "sink": "mid", "sources": ["raw"]},
            {"job": "b", "sink": "out", "sources": ["mid"]},
        ],
        "columns": [
            {"job": "a", "sink": "mid.x", "sources": ["raw.x"]},
            {"job": "b", "sink": "out.y", "sources": ["mid.x"]},
        ],
        "jobs": [
            {"from_job": "a", "from_table": "mid", "to_job": "b", "to_table": "mid", "via": "fs"}
        ],
    }
    g = lineage_graph(lineage)
    assert {b.key for b in g.boxes} == {"a: raw", "a: mid", "b: mid", "b: out"}
    kinds = {(p.source, p.target): p.kind for p in g.paths}
    assert kinds[("a: raw.x", "a: mid.x")] == "column"
    assert kinds[("a: mid.x", "b: mid.x")] == "across"
    assert kinds[("a: mid", "b: mid")] == "job"
    boxes = {b.key: b for b in g.boxes}
    assert boxes["a: raw"].x < boxes["a: mid"].x < boxes["b: mid"].x < boxes["b: out"].x


def test_lineage_graph_labels_each_column_edge_with_what_happened_on_it() -> None:
    lineage = {
        "tables": [{"job": "a", "sink": "out", "sources": ["raw"]}],
        "columns": [
            {"job": "a", "sink": "out.k", "sources": ["raw.k"], "kind": "identity"},
            {"job": "a", "sink": "out.total", "sources": ["raw.v"], "kind": "aggregation",
             "function": "SUM"},
            {"job": "a", "sink": "out.w", "sources": ["raw.ts"], "kind": "window time"},
        ],
    }  # fmt: skip
    labels = {p.target: p.label for p in lineage_graph(lineage).paths if p.kind == "column"}
    assert labels == {"a: out.k": "identity", "a: out.total": "SUM", "a: out.w": "window time"}


def test_a_job_label_fits_between_its_tables_and_long_names_are_shortened() -> None:
    long_a, long_b = "orders-enrichment-with-customers", "revenue-per-customer-per-day"
    data = {
        "tables": [{"job": long_a, "sink": "clean", "sources": ["raw"]},
                   {"job": long_b, "sink": "rev", "sources": ["clean"]}],
        "columns": [{"job": long_a, "sink": "clean.id", "sources": ["raw.id"]},
                    {"job": long_b, "sink": "rev.id", "sources": ["clean.id"]}],
        "jobs": [{"from_job": long_a, "from_table": "clean", "to_job": long_b,
                  "to_table": "clean", "via": "kafka"}],
    }  # fmt: skip
    g = lineage_graph(data)
    [edge] = [p for p in g.paths if p.kind == "job"]
    assert edge.label == "orders-enrichme… → revenue-per-cus…"
    assert edge.title == f"{long_a} → {long_b}"
    half = len(edge.label) * 7.0 / 2  # the label's estimated half width (11px, bold)
    assert edge.x1 <= edge.label_x - half and edge.label_x + half <= edge.x2  # no overlap
    assert all(b.x + b.w <= g.width and b.y >= 0 for b in g.boxes)
    assert edge.label_y - 8 > 0  # not clipped at the top
