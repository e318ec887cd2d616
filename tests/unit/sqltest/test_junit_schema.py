"""`flinkops test --junit` output against tests/data/junit.xsd (the JUnit XML CI systems
read), and the schema check itself: it accepts what those readers take and rejects what
they would not."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from flinkops.sqltest import Outcome, SqlTestResult, to_junit
from flinkops.sqltest._diff import TableDiff
from tests._xsd import Schema
from tests.conftest import REPO

JUNIT = Schema(REPO / "tests" / "data" / "junit.xsd")


def test_every_outcome_of_flinkops_test_validates() -> None:
    results = [
        SqlTestResult("job-a", "ok", "a.test.yaml:3", Outcome.PASSED, 1.5),
        SqlTestResult("job-a", "bad <&> \"rows\"", "a.test.yaml:9", Outcome.FAILED, 2.0,
                      diffs=(TableDiff("t", missing=("{k: 1}",), changed=("{k: 2} v",)),)),
        SqlTestResult("job-b", "boom", "b.test.yaml:3", Outcome.ERROR, 0.5,
                      error="FAILED: x\n  at y"),
    ]  # fmt: skip
    assert JUNIT.errors(ET.fromstring(to_junit(results, 4.0))) == []
    assert JUNIT.errors(ET.fromstring(to_junit([], 0.0))) == []


GOOD = """\
<testsuites name="n" tests="3" failures="1" errors="0" skipped="1" time="1.5">
  <testsuite name="s" tests="3" failures="1" skipped="1" time="1.500" file="a.yaml"
             timestamp="2026-01-01T10:00:00" hostname="localhost">
    <properties><property name="k" value="v"/></properties>
    <testcase name="a" classname="s" time="0.5"/>
    <testcase name="b" classname="s" time="1"><failure message="m" type="T">x</failure>
      <system-out>out</system-out></testcase>
    <testcase name="c"><skipped/></testcase>
    <system-out>suite out</system-out>
  </testsuite>
</testsuites>
"""


def test_a_document_the_ci_readers_take_validates() -> None:
    assert JUNIT.errors(ET.fromstring(GOOD)) == []
    single = '<testsuite name="s" tests="1"><testcase name="a"/></testsuite>'
    assert JUNIT.errors(ET.fromstring(single)) == []  # a lone testsuite is a root too


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ('<testcase name="a" classname="s"', '<testcase classname="s"',
         "testcase[1]: missing required attribute 'name'"),
        ('name="s" tests="3"', 'name="s"', "testsuite: missing required attribute 'tests'"),
        ('tests="3" failures="1" errors="0"', 'tests="three" failures="1" errors="0"',
         "attribute tests='three'"),
        ('time="0.5"', 'time="0,5"', "invalid value '0,5' for xs:decimal"),
        ('time="0.5"', 'time="-1"', "attribute time='-1': value has to be greater or equal"),
        ('time="0.5"', 'duration="0.5"', "'duration' attribute not allowed"),
        ("<skipped/>", '<failure/><error message="e"/>', "testcase[3]: Unexpected child"),
        ("<system-out>suite out</system-out>", "", None),
        ("</properties>", "</properties><failure/>", "testsuite: Unexpected child"),
        ('type="T">x</failure>', 'type="T"><b>x</b></failure>', "can't have child elements"),
    ],
)  # fmt: skip
def test_documents_the_readers_would_not_take_are_rejected(
    old: str, new: str, error: str | None
) -> None:
    assert old in GOOD
    errors = JUNIT.errors(ET.fromstring(GOOD.replace(old, new, 1)))
    if error is None:  # suite output is optional
        assert errors == []
    else:
        assert any(error in e for e in errors), errors


def test_an_unknown_element_or_root_is_rejected() -> None:
    doc = '<testsuites><testrun name="s" tests="1"/></testsuites>'
    assert JUNIT.errors(ET.fromstring(doc)) == [
        "/testsuites: Unexpected child with tag 'testrun' at position 1."
    ]
    assert JUNIT.errors(ET.fromstring('<results tests="1"/>')) == [
        "/results: 'results' is not an element of the schema"
    ]
