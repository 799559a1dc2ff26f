"""``EcsInstance.from_wire``: its fast path builds what the constructor builds, for any input."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hbr_clients_provider.api.instances import EcsInstance
from hbr_clients_provider.api.models import Tag

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from(["", "x", "Running"]), st.text()
)
TAG = st.one_of(
    st.fixed_dictionaries({"TagKey": SCALARS, "TagValue": SCALARS}),
    st.fixed_dictionaries({"TagKey": st.text(min_size=1), "TagValue": st.text()}),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=2),
    SCALARS,
)
TAGS = st.one_of(
    st.none(),
    st.fixed_dictionaries({"Tag": st.lists(TAG, max_size=3)}),
    st.fixed_dictionaries({"Tag": SCALARS}),
    st.lists(TAG, max_size=2),
    SCALARS,
)
WIRE_NAMES = ("InstanceId", "InstanceName", "HostName", "RegionId", "ZoneId", "Status", "OSType")
INSTANCE = st.fixed_dictionaries(
    {},
    optional={
        **{name: st.one_of(SCALARS, st.text(min_size=1)) for name in WIRE_NAMES},
        "Tags": TAGS,
    },
)


def _by_constructor(data: dict[str, Any]) -> EcsInstance:
    return EcsInstance(
        instance_id=data.get("InstanceId"),
        instance_name=data.get("InstanceName"),
        hostname=data.get("HostName"),
        region_id=data.get("RegionId"),
        zone_id=data.get("ZoneId"),
        status=data.get("Status"),
        os_type=data.get("OSType"),
        tags=data.get("Tags"),
    )


@settings(max_examples=400, deadline=None)
@given(INSTANCE)
def test_from_wire_equals_the_constructor(data: dict[str, Any]) -> None:
    """Whatever the wire holds, the fast path and the constructor agree field by field."""
    fast, slow = EcsInstance.from_wire(data), _by_constructor(data)
    assert fast == slow
    assert all(type(tag) is Tag for tag in fast.tags)


def test_equal_tag_lists_are_shared_and_immutable() -> None:
    """Two instances with the same tags share one tuple of the same frozen tags."""
    tags = {"Tag": [{"TagKey": "env", "TagValue": "prod"}, {"TagKey": "team", "TagValue": ""}]}
    first = EcsInstance.from_wire({"InstanceId": "i-1", "Status": "Running", "Tags": tags})
    second = EcsInstance.from_wire({"InstanceId": "i-2", "Status": "", "Tags": tags})
    assert first.tags is second.tags
    assert first.tag_map == {"env": "prod", "team": ""}
    assert second.status is None
    assert first.to_dict()["status"] == "Running"
