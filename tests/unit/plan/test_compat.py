"""State compatibility from real Flink 2.3 job graphs (``jars/:id/plan`` answers).

The graphs in data/flink_plans were compiled by a Flink 2.3.0 cluster from
``src (k, v)`` -> GROUP BY k variants: sum, max, sum_count (SUM + COUNT(*)),
sum_filter (WHERE v > 0 before the aggregate), stateless (a filter only), join,
window_tvf; and from ``src (mid, v, w)``, ``src2 (mid, name)``: rebucket_7 / rebucket_5
(GROUP BY mid % 7 / mid % 5), sum_times_2 / sum_times_3 (SUM(v * 2) / SUM(v * 3) WHERE
v > 3), sum_times_2_filter (WHERE v > 4), join_mod_3 / join_mod_4 (ON a.mid % 3 / % 4
= CHAR_LENGTH(b.name)).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flinkops.plan import StateImpact, compat
from flinkops.plan._operators import Operator, stateful_operators
from flinkops.plan.compat import compare_graphs

DATA = Path(__file__).parent.parent / "data" / "flink_plans"


def graph(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def test_vertex_ids_do_not_tell_sum_from_max():
    # the fact this module exists for: same topology hash, different accumulators
    ids = lambda g: sorted(n["id"] for n in g["nodes"])  # noqa: E731
    assert ids(graph("sum")) == ids(graph("max"))


def test_stateful_operators_are_read_from_descriptions():
    assert stateful_operators(graph("sum")) == [
        Operator("GroupAggregate", (("groupBy", "k"), ("select", "k, SUM(v)")))
    ]
    assert stateful_operators(graph("stateless")) == []
    (join,) = stateful_operators(graph("join"))
    assert join.kind == "Join"
    assert dict(join.args)["joinType"] == "InnerJoin"
    assert dict(join.args)["where"] == "(k = k0)"
    (window,) = stateful_operators(graph("window_tvf"))
    assert window.kind == "GlobalWindowAggregate"
    assert dict(window.args)["groupBy"] == "segment"
    assert dict(window.args)["window"] == "TUMBLE(slice_end=[$slice_end], size=[1 min])"


def test_sum_to_max_is_at_risk_naming_the_calls():
    verdict = compare_graphs(graph("sum"), graph("max"))
    assert verdict.impact is StateImpact.AT_RISK
    assert verdict.reasons == ("GroupAggregate select list changed: SUM(v) -> MAX(v)",)


def test_adding_count_is_incompatible():
    # Flink 2.3 fails the restore: the accumulator row gains a field
    # (tests/integration/test_verdict_levels.py runs it)
    verdict = compare_graphs(graph("sum"), graph("sum_count"))
    assert verdict.impact is StateImpact.INCOMPATIBLE
    assert verdict.reasons == (
        "GroupAggregate aggregate calls added (COUNT(*)): its accumulators change shape and "
        "Flink will refuse to restore its state",
        "GroupAggregate select list changed: SUM(v) -> SUM(v), COUNT(*)",
    )
    back = compare_graphs(graph("sum_count"), graph("sum"))
    assert back.impact is StateImpact.INCOMPATIBLE
    assert back.reasons[0].startswith("GroupAggregate aggregate calls removed (COUNT(*))")
    # allowNonRestoredState drops unmapped state; it does not make a layout fit
    anrs = compare_graphs(graph("sum"), graph("sum_count"), allow_non_restored_state=True)
    assert anrs.impact is StateImpact.INCOMPATIBLE


def test_calls_both_added_and_removed_are_only_at_risk():
    # AVG(v) -> SUM(v), COUNT(v) may keep the accumulator row's arity: not sure, so at-risk
    new = _with_description(graph("max"), "MAX(v)", "SUM(v), COUNT(*)")
    verdict = compare_graphs(graph("max"), new)
    assert verdict.impact is StateImpact.AT_RISK


def test_retracting_calls_are_only_at_risk():
    old = _with_description(graph("sum"), "SUM(v)", "SUM_RETRACT(v)")
    new = _with_description(graph("sum_count"), "SUM(v)", "SUM_RETRACT(v)")
    assert compare_graphs(old, new).impact is StateImpact.AT_RISK


def test_a_first_filter_before_the_aggregate_changes_its_operator_id():
    # Real Flink 2.3 graphs: the new Calc in the source chain changes the aggregate's
    # operator id, and Flink refuses such a savepoint ("Cannot map checkpoint/savepoint
    # state for operator ... because the operator is not available in the new program").
    verdict = compare_graphs(graph("sum"), graph("sum_filter"))
    assert verdict.impact is StateImpact.INCOMPATIBLE
    assert verdict.reasons[0].startswith("GroupAggregate operator id changed (20ba6b65...")
    lost = compare_graphs(graph("sum"), graph("sum_filter"), allow_non_restored_state=True)
    assert lost.impact is StateImpact.LOST


def test_same_shape_and_operators_is_preserved():
    verdict = compare_graphs(graph("sum_filter"), graph("sum_filter"))
    assert verdict.impact is StateImpact.PRESERVED
    assert verdict.reasons == ("stateful operators unchanged (GroupAggregate)",)


def test_adding_an_aggregate_to_a_stateless_job():
    verdict = compare_graphs(graph("stateless"), graph("sum"))
    assert verdict.impact is StateImpact.AT_RISK
    assert verdict.reasons == ("GroupAggregate added (1): its state starts empty",)


def test_removing_the_aggregate_needs_allow_non_restored_state():
    verdict = compare_graphs(graph("sum"), graph("stateless"))
    assert verdict.impact is StateImpact.INCOMPATIBLE
    assert verdict.reasons == (
        "GroupAggregate removed (1; operator id 20ba6b65...): Flink will refuse the savepoint "
        "(its state has no operator in the new program) unless allowNonRestoredState",
    )


def test_a_removed_operator_whose_id_lives_on_is_only_at_risk():
    # its id now heads another operator, which Flink may hand its state to: not sure
    new = _with_description(graph("sum"), "GroupAggregate(", "Calc(")
    new["nodes"] = [*new["nodes"], *graph("join")["nodes"]]
    verdict = compare_graphs(graph("sum"), new)
    assert any(r.startswith("GroupAggregate removed (1): its operator id") for r in verdict.reasons)
    assert verdict.impact is StateImpact.AT_RISK


def test_removing_the_aggregate_with_allow_non_restored_state_loses_it():
    verdict = compare_graphs(graph("sum"), graph("stateless"), allow_non_restored_state=True)
    assert verdict.impact is StateImpact.LOST
    assert verdict.reasons == (
        "GroupAggregate removed (1): its state is dropped (allowNonRestoredState)",
    )


def test_replacing_an_aggregate_by_a_join():
    verdict = compare_graphs(graph("sum"), graph("join"))
    assert verdict.impact is StateImpact.INCOMPATIBLE
    assert "Join added (1): its state starts empty" in verdict.reasons
    assert any(r.startswith("GroupAggregate removed (1; operator id") for r in verdict.reasons)


@pytest.mark.parametrize("name", ["sum", "join", "window_tvf"])
def test_same_graph_is_preserved(name):
    assert compare_graphs(graph(name), graph(name)).impact is StateImpact.PRESERVED


def test_stateless_to_stateless_is_preserved():
    verdict = compare_graphs(graph("stateless"), graph("stateless"))
    assert verdict.impact is StateImpact.PRESERVED
    assert verdict.reasons == ("no stateful operators",)


def _with_description(g: dict, old: str, new: str) -> dict:
    copy = json.loads(json.dumps(g))
    for node in copy["nodes"]:
        node["description"] = node["description"].replace(old, new)
    return copy


def test_changed_group_keys_are_named():
    new = _with_description(graph("sum"), "groupBy=[k]", "groupBy=[k, v]")
    verdict = compare_graphs(graph("sum"), new)
    assert verdict.impact is StateImpact.AT_RISK
    assert verdict.reasons == ("GroupAggregate group keys changed: k -> k, v",)


def test_changed_window_size_is_named():
    new = _with_description(graph("window_tvf"), "size=[1 min]", "size=[5 min]")
    verdict = compare_graphs(graph("window_tvf"), new)
    assert verdict.impact is StateImpact.AT_RISK
    assert verdict.reasons == (
        "GlobalWindowAggregate window changed: TUMBLE(slice_end=[$slice_end], size=[1 min]) -> "
        "TUMBLE(slice_end=[$slice_end], size=[5 min])",
    )


def test_only_an_alias_changed_is_preserved():
    new = _with_description(graph("sum"), "AS EXPR$1", "AS total")
    assert compare_graphs(graph("sum"), new).impact is StateImpact.PRESERVED


def test_a_graph_without_nodes_is_unknown():
    verdict = compare_graphs(graph("sum"), {"plan": "???"})
    assert verdict.impact is StateImpact.AT_RISK
    assert verdict.reasons[0].startswith("unknown:")


def test_a_rebucketed_key_is_at_risk_naming_both_expressions():
    # Flink's descriptions and vertex ids are identical: groupBy=[EXPR$0] both times
    old, new = graph("rebucket_7"), graph("rebucket_5")
    assert stateful_operators(old) == stateful_operators(new)
    verdict = compare_graphs(old, new)
    assert verdict.impact is StateImpact.AT_RISK
    assert verdict.reasons == (
        "GroupAggregate group keys are computed differently: MOD(src.mid, 7) -> "
        "MOD(src.mid, 5) (the state is kept under the old meaning)",
    )


def test_an_aggregate_argument_computed_differently_is_at_risk():
    verdict = compare_graphs(graph("sum_times_2"), graph("sum_times_3"))
    assert verdict.impact is StateImpact.AT_RISK
    assert verdict.reasons == (
        "GroupAggregate aggregate calls are computed differently: SUM((src.v * 2)) -> "
        "SUM((src.v * 3)) (the state is kept under the old meaning)",
    )


def test_join_keys_computed_differently_are_at_risk():
    verdict = compare_graphs(graph("join_mod_3"), graph("join_mod_4"))
    assert verdict.impact is StateImpact.AT_RISK
    assert verdict.reasons[0] == (
        "Join condition is computed differently: (MOD(src.mid, 3) = CHAR_LENGTH(src2.name)) -> "
        "(MOD(src.mid, 4) = CHAR_LENGTH(src2.name)) (the state is kept under the old meaning)"
    )


def test_a_changed_filter_on_a_value_is_at_risk():
    # GROUP BY mid, WHERE v > 3 -> v > 4: the accumulators counted rows with v = 4, which
    # the new query excludes, so the restored state does not mean what the new query does
    verdict = compare_graphs(graph("sum_times_2"), graph("sum_times_2_filter"))
    assert verdict.impact is StateImpact.AT_RISK
    assert verdict.reasons == (
        "filter before GroupAggregate changed: (v > 3) -> (v > 4) (the restored state lacks "
        "rows the new filter admits or holds rows it excludes)",
    )


def test_derivations_are_traced_through_chains_and_inputs():
    (window,) = stateful_operators(graph("window_tvf"))
    assert dict(window.derived)["groupBy"] == "MOD(orders.customer_id, 5)"
    (join, agg) = stateful_operators(graph("join_mod_3"))
    assert dict(join.derived)["where"] == "(MOD(src.mid, 3) = CHAR_LENGTH(src2.name))"
    assert dict(agg.derived) == {"groupBy": "src.mid", "select": "src.mid, SUM(src.v)"}


def test_a_generated_field_defined_nowhere_is_unknown_never_preserved():
    cut = json.loads(json.dumps(graph("rebucket_7")))
    for node in cut["nodes"]:
        node["description"] = node["description"].replace("MOD(mid, 7) AS EXPR$0, ", "")
    verdict = compare_graphs(graph("rebucket_7"), cut)
    assert verdict.impact is StateImpact.AT_RISK
    assert verdict.reasons[0].startswith("unknown: GroupAggregate group keys")


def test_an_unresolvable_derivation_of_an_unchanged_graph_is_not_a_risk():
    cut = json.loads(json.dumps(graph("rebucket_7")))
    for node in cut["nodes"]:
        node["description"] = node["description"].replace("MOD(mid, 7) AS EXPR$0, ", "")
    (op,) = stateful_operators(cut)
    assert dict(op.derived)["groupBy"] is None
    assert compare_graphs(cut, cut).impact is StateImpact.PRESERVED


def test_state_impacts_are_ordered_from_none_to_lost():
    none, preserved, at_risk, lost = (
        StateImpact.NONE,
        StateImpact.PRESERVED,
        StateImpact.AT_RISK,
        StateImpact.LOST,
    )
    assert none < preserved < at_risk < lost  # not the strings' order ("at-risk" < "lost")
    assert sorted([lost, none, at_risk, preserved]) == [none, preserved, at_risk, lost]
    assert StateImpact.worst(preserved, lost, at_risk) is lost
    assert StateImpact.worst(none, preserved) is preserved
    assert StateImpact.worst() is none


def test_a_rule_is_one_entry_of_the_list_and_the_verdict_is_the_worst(monkeypatch):
    def everything_lost(g: compat.Compared):
        yield compat.Finding(StateImpact.LOST, f"{len(g.before)} operator(s) lost")

    monkeypatch.setattr(compat, "GRAPH_RULES", (*compat.GRAPH_RULES, everything_lost))
    verdict = compare_graphs(graph("sum"), graph("max"))
    assert verdict.impact is StateImpact.LOST
    assert verdict.reasons == (
        "1 operator(s) lost",
        "GroupAggregate select list changed: SUM(v) -> MAX(v)",
    )
