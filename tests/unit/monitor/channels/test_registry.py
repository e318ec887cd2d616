"""One class per channel kind: the registry, the spec's channel types and the project
schema's enum name the same kinds, and the spec asks each kind for what it uses."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from flinkops.monitor.channels import KINDS, kind_of
from flinkops.monitor.channels._base import HttpChannel
from flinkops.spec import CHANNEL_TYPES, SCHEMA_DIR, SIGNED_CHANNEL_TYPES, Channel


def test_the_registry_the_spec_and_the_schema_name_the_same_kinds():
    schema = json.loads((SCHEMA_DIR / "project.schema.json").read_text())
    enum = schema["$defs"]["channel"]["properties"]["type"]["enum"]
    assert tuple(KINDS) == CHANNEL_TYPES == tuple(enum)
    assert all(kind.type == name for name, kind in KINDS.items())


def test_the_spec_takes_a_secret_exactly_for_the_kinds_that_sign():
    assert {name for name, kind in KINDS.items() if kind.signed} == set(SIGNED_CHANNEL_TYPES)
    for name in [n for n in KINDS if n != "email"]:  # email has no url: tested below
        fields = {"type": name, "url": "https://example.org/hook", "secret": "s"}
        if name in SIGNED_CHANNEL_TYPES:
            assert Channel.model_validate(fields).secret == "s"
        else:
            with pytest.raises(ValidationError, match="has no signing secret"):
                Channel.model_validate(fields)


@pytest.mark.parametrize("name", list(KINDS))
def test_the_spec_asks_every_http_kind_for_a_url(name: str):
    with pytest.raises(ValidationError) as info:
        Channel.model_validate({"type": name})
    assert ("needs url" in str(info.value)) == issubclass(KINDS[name], HttpChannel)


def test_a_channel_is_sent_by_the_class_of_its_type():
    channel = Channel(type="feishu", url="https://example.org/hook", secret="s")
    kind = kind_of(channel)
    assert type(kind) is KINDS["feishu"] and kind.channel is channel
