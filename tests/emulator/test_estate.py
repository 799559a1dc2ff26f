"""An estate: regions with ECS instances and HBR fleets, consistent, seeded, and its truth.

The truth (``emu.estate_truth()``, ``GET /_emulator/estate``) is checked against what the
APIs answer: DescribeInstances through the official ECS SDK, DescribeBackupClients through
each region's HBR host.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from typing import Any

import pytest

from hbr_emulator import Emulator, Estate, EstateError
from hbr_emulator.estate_fleet import DEGRADED_EVERY, DEGRADED_STATUSES

from .conftest import ESTATE
from .helpers import all_instances, ecs_client, list_clients_via_host, sdk_client

Factory = Callable[..., Emulator]


def _estate_json(emu: Emulator) -> dict[str, Any]:
    host, port = emu.endpoint.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", "/_emulator/estate")
        response = connection.getresponse()
        assert response.status == 200
        document: dict[str, Any] = json.loads(response.read())
        return document
    finally:
        connection.close()


class TestEstateDescription:
    """The description refuses values outside its rules, naming the field."""

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"regions": ("cn-hangzhou", "mars-north-1")}, "regions"),
            ({"regions": ("cn-hangzhou", "cn-hangzhou")}, "regions"),
            ({"regions": ()}, "regions"),
            ({"instances_per_region": -1}, "instances_per_region"),
            ({"instances_per_region": 2, "uncovered_per_region": 3}, "uncovered_per_region"),
            ({"instances_per_region": 3, "stopped_per_region": 4}, "stopped_per_region"),
            ({"not_activated": ("cn-shenzhen",)}, "not_activated"),
            ({"quota_per_s": 0}, "quota_per_s"),
            ({"quota_scope": "planet"}, "quota_scope"),
        ],
    )
    def test_estate_refuses_bad_values(self, kwargs: dict[str, Any], field: str) -> None:
        """Each bad value raises ``EstateError`` (a ``ValueError``) whose ``field`` names it."""
        with pytest.raises(EstateError) as caught:
            Estate(**kwargs)
        assert caught.value.field == field
        assert isinstance(caught.value, ValueError)

    def test_estate_regions_from_a_comma_string(self) -> None:
        """Regions may be given as the CLI spells them: ``"cn-hangzhou, cn-shanghai"``."""
        estate = Estate(regions="cn-hangzhou, cn-shanghai", not_activated="cn-shanghai")
        assert estate.regions == ("cn-hangzhou", "cn-shanghai")
        assert estate.not_activated == ("cn-shanghai",)
        assert estate.default_region == "cn-hangzhou"

    def test_estate_and_data_do_not_combine(self, tmp_path: Any) -> None:
        """An estate generates its fleets: giving ``data`` too is a ``ValueError``."""
        with pytest.raises(ValueError, match="not both"):
            Emulator(estate=Estate(), data=tmp_path / "fleet.json")


class TestGeneration:
    """What each region holds follows the documented rules, from the seed alone."""

    def test_counts_per_region(self, estate_emulator: Emulator) -> None:
        """Instances, stopped, uncovered, orphans and containers match the description."""
        for region in estate_emulator.estate_truth().regions:
            activated = region.region_id not in ESTATE.not_activated
            stopped = [i for i in region.instances if i.status == "Stopped"]
            containers = [c for c in region.clients if c.client_type == "CONTAINER_CLIENT"]
            assert len(region.instances) == ESTATE.instances_per_region
            assert len(stopped) == ESTATE.stopped_per_region
            assert region.hbr_activated is activated
            if activated:
                assert len(region.uncovered_instance_ids) == ESTATE.uncovered_per_region
                assert len(region.orphan_client_ids) == ESTATE.orphans_per_region
                assert len(containers) == ESTATE.containers_per_region
            else:
                assert region.clients == ()
                ids = tuple(i.instance_id for i in region.instances)
                assert region.uncovered_instance_ids == ids

    def test_covering_clients_mirror_their_instance(self, estate_emulator: Emulator) -> None:
        """Each covered instance has one ECS client with its name, host, zone, OS and tags."""
        cloud = estate_emulator.cloud
        instances = {i["InstanceId"]: i for i in cloud.ecs("cn-shanghai").instances()}
        clients = [c for c in cloud.hbr("cn-shanghai").clients() if c["ClientType"] == "ECS_CLIENT"]
        covering = [c for c in clients if c["InstanceId"] in instances]
        assert len(covering) == len({c["InstanceId"] for c in covering})
        assert len(covering) == ESTATE.instances_per_region - ESTATE.uncovered_per_region
        for client in covering:
            instance = instances[client["InstanceId"]]
            assert client["InstanceName"] == instance["InstanceName"]
            assert client["Hostname"] == instance["HostName"]
            assert client["ZoneId"] == instance["ZoneId"]
            assert client["OsType"] == instance["OSType"]
            instance_tags = {(t["TagKey"], t["TagValue"]) for t in instance["Tags"]["Tag"]}
            assert {(t["Key"], t["Value"]) for t in client["Tags"]} >= instance_tags

    def test_client_status_rule(self, estate_emulator: Emulator) -> None:
        """STOPPED for stopped instances; every 10th other client degraded; others ACTIVATED."""
        truth = estate_emulator.estate_truth().region("cn-hangzhou")
        status_of = {c.instance_id: c.status for c in truth.clients}
        running_index, expected, actual = 0, [], []
        for instance in truth.instances:
            if instance.instance_id not in status_of:
                continue
            actual.append(status_of[instance.instance_id])
            if instance.status == "Stopped":
                expected.append("STOPPED")
                continue
            running_index += 1
            if running_index % DEGRADED_EVERY == 0:
                turn = running_index // DEGRADED_EVERY - 1
                expected.append(DEGRADED_STATUSES[turn % len(DEGRADED_STATUSES)])
            else:
                expected.append("ACTIVATED")
        assert actual == expected
        assert "UNKNOWN" in actual

    def test_same_seed_same_estate(self, emulator_factory: Factory) -> None:
        """Two emulators of one estate hold the same instances and clients; another seed differs."""
        small = Estate(regions=("cn-shanghai", "ap-southeast-1"), instances_per_region=12, seed=5)
        first = emulator_factory(estate=small).estate_truth()
        second = emulator_factory(estate=small).estate_truth()
        other = emulator_factory(estate=Estate(regions=small.regions, instances_per_region=12))
        assert first == second
        assert first.region("cn-shanghai").instances != other.estate_truth().regions[0].instances

    def test_region_does_not_depend_on_the_others(self, emulator_factory: Factory) -> None:
        """Adding a region leaves an existing region's instances as they were."""
        one = emulator_factory(estate=Estate(regions=("cn-shanghai",), seed=2))
        two = emulator_factory(estate=Estate(regions=("cn-beijing", "cn-shanghai"), seed=2))
        assert one.estate_truth().region("cn-shanghai") == two.estate_truth().region("cn-shanghai")


class TestTruth:
    """The ground truth agrees with what the APIs answer."""

    def test_truth_agrees_with_the_apis(self, estate_emulator: Emulator) -> None:
        """Joining DescribeInstances and DescribeBackupClients finds the truth's gaps exactly."""
        emu = estate_emulator
        ecs = ecs_client(emu.endpoint)
        document = _estate_json(emu)
        assert document == emu.estate_truth().as_dict()
        for region in document["Regions"]:
            region_id = region["RegionId"]
            instances = all_instances(ecs, region_id=region_id, page_size=100)
            instance_ids = [i.instance_id for i in instances]
            assert instance_ids == [i["InstanceId"] for i in region["Instances"]]
            if not region["HbrActivated"]:
                continue
            host = f"hbr.{region_id}.aliyuncs.com"
            clients = list_clients_via_host(emu.endpoint, host)
            clients += list_clients_via_host(emu.endpoint, host, ClientType="CONTAINER_CLIENT")
            covered = {c["InstanceId"] for c in clients if c["ClientType"] == "ECS_CLIENT"}
            uncovered = [i for i in instance_ids if i not in covered]
            orphans = [
                c["ClientId"]
                for c in clients
                if c["ClientType"] == "ECS_CLIENT" and c["InstanceId"] not in instance_ids
            ]
            assert uncovered == region["UncoveredInstanceIds"]
            assert orphans == region["OrphanClientIds"]
            assert {c["ClientId"] for c in clients} == {c["ClientId"] for c in region["Clients"]}

    def test_truth_json_shape(self, estate_emulator: Emulator) -> None:
        """Each region lists instances with status and tags, and clients with their instance."""
        region = _estate_json(estate_emulator)["Regions"][0]
        assert region["RegionId"] == "cn-hangzhou"
        assert set(region) == {
            "RegionId",
            "HbrActivated",
            "Instances",
            "Clients",
            "UncoveredInstanceIds",
            "OrphanClientIds",
        }
        assert set(region["Instances"][0]) == {"InstanceId", "Status", "Tags"}
        assert set(region["Instances"][0]["Tags"]) == {"env", "team", "app"}
        assert set(region["Clients"][0]) == {"ClientId", "ClientType", "InstanceId", "Status"}

    def test_truth_follows_fleet_changes_and_reset(self, estate_emulator: Emulator) -> None:
        """Removing a covering client uncovers its instance; a reset brings it back."""
        emu = estate_emulator
        region = emu.estate_truth().region("cn-shanghai")
        covered = next(
            c for c in region.clients if c.client_type == "ECS_CLIENT" and c.status == "ACTIVATED"
        )
        emu.cloud.hbr("cn-shanghai").remove_client(covered.client_id)
        after = emu.estate_truth().region("cn-shanghai")
        assert covered.instance_id in after.uncovered_instance_ids
        assert len(after.uncovered_instance_ids) == ESTATE.uncovered_per_region + 1
        emu.cloud.reset()
        assert emu.estate_truth().region("cn-shanghai") == region


def test_describe_regions_lists_the_estate(estate_emulator: Emulator) -> None:
    """HBR's DescribeRegions (official SDK, plain address) answers the estate's regions."""
    client = sdk_client(estate_emulator.endpoint)
    body = client.describe_regions().body
    assert [r.region_id for r in body.regions.region] == list(ESTATE.regions)
    assert all(r.local_name for r in body.regions.region)


def test_admin_clients_of_a_region(estate_emulator: Emulator) -> None:
    """``GET /_emulator/clients?region=`` reads that region's fleet; an unknown region is 404."""
    host, port = estate_emulator.endpoint.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", "/_emulator/clients?region=cn-shanghai")
        body = json.loads(connection.getresponse().read())
        connection.request("GET", "/_emulator/clients?region=us-east-1")
        missing = connection.getresponse()
        missing.read()
    finally:
        connection.close()
    expected = estate_emulator.cloud.hbr("cn-shanghai").clients()
    assert [c["ClientId"] for c in body["Clients"]] == [c["ClientId"] for c in expected]
    assert missing.status == 404
