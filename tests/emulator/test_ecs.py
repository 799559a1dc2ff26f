"""ECS ``DescribeInstances`` (2014-05-26), proven with the official ECS SDK.

The SDK is pointed at the emulator's address (``Config(endpoint=emu.endpoint)``): a plain
address routes ``DescribeInstances`` of version 2014-05-26 to ECS, and ``RegionId``
picks the region.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException

from hbr_emulator import Emulator, Faults
from hbr_emulator.ecs_wire import INSTANCE_STATUSES

from .conftest import ESTATE
from .helpers import all_instances, describe_instances, ecs_client, raw_call, tag_filter

Factory = Callable[..., Emulator]
INSTANCE_ID = re.compile(r"^i-[a-z0-9]{20}$")
ECS_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$")


def _error(call: Callable[[], object]) -> tuple[str, int]:
    with pytest.raises(ClientException) as caught:
        call()
    return caught.value.code, caught.value.status_code


class TestPaging:
    """Paging by number and by token returns exactly the seeded instances."""

    def test_describe_instances_pages_every_region(self, estate_emulator: Emulator) -> None:
        """Pages of 7 list each region's instances once each, in the backend's order."""
        client = ecs_client(estate_emulator.endpoint)
        truth = estate_emulator.estate_truth()
        for region in ESTATE.regions:
            listed = all_instances(client, region_id=region, page_size=7)
            expected = [i.instance_id for i in truth.region(region).instances]
            assert [i.instance_id for i in listed] == expected
            assert len(expected) == ESTATE.instances_per_region
            assert {i.region_id for i in listed} == {region}

    def test_describe_instances_page_envelope(self, estate_emulator: Emulator) -> None:
        """A page carries TotalCount, PageNumber and PageSize; past the end it is empty."""
        client = ecs_client(estate_emulator.endpoint)
        body = describe_instances(client, region_id="cn-shanghai", page_number=3, page_size=15)
        assert (body.total_count, body.page_number, body.page_size) == (40, 3, 15)
        assert len(body.instances.instance) == 10
        past = describe_instances(client, region_id="cn-shanghai", page_number=9, page_size=15)
        assert (past.total_count, past.instances.instance) == (40, [])

    def test_describe_instances_default_page_is_ten(self, estate_emulator: Emulator) -> None:
        """Without PageNumber and PageSize the first 10 come back."""
        body = describe_instances(ecs_client(estate_emulator.endpoint), region_id="cn-hangzhou")
        assert (body.page_number, body.page_size, len(body.instances.instance)) == (1, 10, 10)

    def test_describe_instances_next_token(self, estate_emulator: Emulator) -> None:
        """MaxResults/NextToken pages through everything; the last page's token is empty."""
        client = ecs_client(estate_emulator.endpoint)
        seen, token, pages = [], None, 0
        while True:
            body = describe_instances(
                client, region_id="cn-hangzhou", max_results=15, next_token=token
            )
            seen.extend(i.instance_id for i in body.instances.instance)
            pages += 1
            token = body.next_token
            if not token:
                break
        assert pages == 3
        assert seen == [i["InstanceId"] for i in estate_emulator.cloud.ecs().instances()]

    def test_describe_instances_max_results_clamped(self, estate_emulator: Emulator) -> None:
        """MaxResults below 10 counts as 10, above 100 as 100 (as the SDK documents)."""
        client = ecs_client(estate_emulator.endpoint)
        small = describe_instances(client, region_id="cn-hangzhou", max_results=3)
        large = describe_instances(client, region_id="cn-hangzhou", max_results=500)
        assert len(small.instances.instance) == 10
        assert len(large.instances.instance) == 40
        assert large.next_token == ""

    @pytest.mark.parametrize(
        "kwargs",
        [{"page_size": 101}, {"page_size": 0}, {"page_number": 0}, {"next_token": "abc"}],
    )
    def test_describe_instances_bad_paging_is_invalid_parameter(
        self, estate_emulator: Emulator, kwargs: dict[str, object]
    ) -> None:
        """Out-of-range PageSize/PageNumber and a foreign NextToken: 400 ``InvalidParameter``."""
        client = ecs_client(estate_emulator.endpoint)
        call = lambda: describe_instances(client, region_id="cn-hangzhou", **kwargs)  # noqa: E731
        assert _error(call) == ("InvalidParameter", 400)


class TestFilters:
    """Tags, InstanceIds and Status filter as ECS does."""

    def test_describe_instances_tags_and(self, estate_emulator: Emulator) -> None:
        """Two tags select the instances that have both (AND), exactly."""
        client = ecs_client(estate_emulator.endpoint)
        truth = estate_emulator.estate_truth().region("cn-shanghai")
        team = dict(truth.instances[0].tags)["team"]
        listed = all_instances(
            client, region_id="cn-shanghai", page_size=100, tag=tag_filter(env="prod", team=team)
        )
        expected = [
            i.instance_id
            for i in truth.instances
            if ("env", "prod") in i.tags and ("team", team) in i.tags
        ]
        assert expected
        assert [i.instance_id for i in listed] == expected
        for instance in listed:
            tags = {t.tag_key: t.tag_value for t in instance.tags.tag}
            assert (tags["env"], tags["team"]) == ("prod", team)

    def test_describe_instances_tag_key_alone_matches_any_value(
        self, estate_emulator: Emulator
    ) -> None:
        """A Tag.N.Key without a value matches every value of that key."""
        client = ecs_client(estate_emulator.endpoint)
        body = describe_instances(client, region_id="cn-hangzhou", tag=tag_filter(env=None))
        none = describe_instances(client, region_id="cn-hangzhou", tag=tag_filter(owner=None))
        assert (body.total_count, none.total_count) == (40, 0)

    def test_describe_instances_instance_ids(self, estate_emulator: Emulator) -> None:
        """InstanceIds (a JSON array) selects those instances; ``[]`` selects none, as in ECS."""
        client = ecs_client(estate_emulator.endpoint)
        ids = [i["InstanceId"] for i in estate_emulator.cloud.ecs("cn-beijing").instances()]
        wanted = [ids[5], ids[0], "i-notintheestate0000000"]
        body = describe_instances(client, region_id="cn-beijing", instance_ids=json.dumps(wanted))
        assert [i.instance_id for i in body.instances.instance] == [ids[0], ids[5]]
        empty = describe_instances(client, region_id="cn-beijing", instance_ids="[]")
        assert empty.total_count == 0

    def test_describe_instances_too_many_ids(self, estate_emulator: Emulator) -> None:
        """More than 100 InstanceIds: 400 ``InvalidInstanceIds.ValueNotSupported``."""
        client = ecs_client(estate_emulator.endpoint)
        ids = json.dumps([f"i-{n:020d}" for n in range(101)])
        call = lambda: describe_instances(client, region_id="cn-hangzhou", instance_ids=ids)  # noqa: E731
        assert _error(call) == ("InvalidInstanceIds.ValueNotSupported", 400)

    def test_describe_instances_malformed_ids(self, estate_emulator: Emulator) -> None:
        """InstanceIds that is not a JSON array of strings: 400 ``InvalidInstanceIds.Malformed``."""
        client = ecs_client(estate_emulator.endpoint)
        call = lambda: describe_instances(client, region_id="cn-hangzhou", instance_ids="i-a,i-b")  # noqa: E731
        assert _error(call) == ("InvalidInstanceIds.Malformed", 400)

    def test_describe_instances_status(self, estate_emulator: Emulator) -> None:
        """Status=Stopped lists the seeded stopped instances; an unknown status is refused."""
        client = ecs_client(estate_emulator.endpoint)
        truth = estate_emulator.estate_truth().region("cn-hangzhou")
        body = describe_instances(client, region_id="cn-hangzhou", status="Stopped")
        expected = [i.instance_id for i in truth.instances if i.status == "Stopped"]
        assert len(expected) == ESTATE.stopped_per_region
        assert [i.instance_id for i in body.instances.instance] == expected
        call = lambda: describe_instances(client, region_id="cn-hangzhou", status="Asleep")  # noqa: E731
        assert _error(call) == ("InvalidStatus.ValueNotSupported", 400)

    def test_describe_instances_tag_value_without_key(self, estate_emulator: Emulator) -> None:
        """A Tag.N.Value without its key: 400 ``InvalidTag.Mismatch``."""
        status, _, body = raw_call(
            estate_emulator.endpoint,
            action="DescribeInstances",
            version="2014-05-26",
            query={"RegionId": "cn-hangzhou", "Tag.1.Value": "prod"},
        )
        assert (status, body["Code"]) == (400, "InvalidTag.Mismatch")


def test_describe_instances_fields(estate_emulator: Emulator) -> None:
    """Each instance has the documented fields, shaped as ECS writes them."""
    body = describe_instances(
        ecs_client(estate_emulator.endpoint), region_id="cn-shanghai", page_size=100
    )
    for instance in body.instances.instance:
        assert INSTANCE_ID.match(instance.instance_id)
        assert instance.region_id == "cn-shanghai"
        assert instance.zone_id.startswith("cn-shanghai-")
        assert instance.status in INSTANCE_STATUSES
        assert instance.ostype in {"linux", "windows"}
        assert ECS_TIME.match(instance.creation_time)
        assert instance.instance_name
        assert instance.host_name
        assert {t.tag_key for t in instance.tags.tag} == {"env", "team", "app"}
    assert len({i.instance_id for i in body.instances.instance}) == 40


def test_describe_instances_missing_region_id(estate_emulator: Emulator) -> None:
    """Without RegionId the answer is 400 ``MissingRegionId`` with the ECS envelope."""
    status, _, body = raw_call(
        estate_emulator.endpoint, action="DescribeInstances", version="2014-05-26", query={}
    )
    assert (status, body["Code"]) == (400, "MissingRegionId")
    assert body["HostId"] == "ecs.cn-hangzhou.aliyuncs.com"
    assert "product=Ecs" in body["Recommend"]


def test_ecs_checks_signatures(estate_emulator: Emulator) -> None:
    """ECS checks the same signature as HBR: a wrong secret fails ``SignatureDoesNotMatch``."""
    client = ecs_client(estate_emulator.endpoint, access_key_secret="wrong")
    call = lambda: describe_instances(client, region_id="cn-hangzhou")  # noqa: E731
    assert _error(call) == ("SignatureDoesNotMatch", 400)


def test_ecs_faults_and_request_log(emulator_factory: Factory) -> None:
    """Injected faults reach ECS calls, and the request log names the product and region."""
    faults = Faults(fail_next=(("ServiceUnavailable", 503),))
    emu = emulator_factory(fleet=12, seed=4, faults=faults)
    client = ecs_client(emu.endpoint)
    with pytest.raises(ServerException) as caught:
        describe_instances(client, region_id="cn-hangzhou")
    assert (caught.value.code, caught.value.status_code) == ("ServiceUnavailable", 503)
    describe_instances(client, region_id="cn-hangzhou")
    log = emu.backend.request_log()
    assert [(e["product"], e["region"], e["status"]) for e in log] == [
        ("ecs", "cn-hangzhou", 503),
        ("ecs", "cn-hangzhou", 200),
    ]
    assert emu.backend.api_call_count("DescribeInstances") == 2


def test_single_fleet_instances_mirror_the_clients(emulator_factory: Factory) -> None:
    """Without an estate, ECS lists one Running instance per ECS client, following changes."""
    emu = emulator_factory(fleet=40, seed=3)
    client = ecs_client(emu.endpoint)
    ecs_clients = [c for c in emu.backend.clients() if c["ClientType"] == "ECS_CLIENT"]
    listed = all_instances(client, region_id="cn-hangzhou", page_size=100)
    assert [i.instance_id for i in listed] == [c["InstanceId"] for c in ecs_clients]
    first = listed[0]
    assert (first.instance_name, first.host_name, first.status) == (
        ecs_clients[0]["InstanceName"],
        ecs_clients[0]["Hostname"],
        "Running",
    )
    emu.backend.add_client({"InstanceId": "i-addedafterwards00000", "InstanceName": "new"})
    emu.backend.remove_client(ecs_clients[-1]["ClientId"])
    ids = [i.instance_id for i in all_instances(client, region_id="cn-hangzhou", page_size=100)]
    assert ids[0] == "i-addedafterwards00000"
    assert ecs_clients[-1]["InstanceId"] not in ids
    truth = emu.estate_truth().region("cn-hangzhou")
    assert (truth.uncovered_instance_ids, truth.orphan_client_ids) == ((), ())
