"""The backend, without sockets: the seeded fleet, listing, control."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hbr_emulator import DEFAULT_CROSS_ACCOUNT_ROLE_NAME, DEFAULT_CROSS_ACCOUNT_USER_ID, Faults
from hbr_emulator.defaults import cross_account_key
from hbr_emulator.exceptions import NoPermission
from hbr_emulator.fleet import STATUSES, ZONES
from hbr_emulator.models import HbrBackend, ListQuery
from hbr_emulator.wire import ECS_ONLY_FIELDS

CROSS = cross_account_key(DEFAULT_CROSS_ACCOUNT_USER_ID, DEFAULT_CROSS_ACCOUNT_ROLE_NAME)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


@pytest.fixture(scope="module")
def seeded() -> HbrBackend:
    """A 400-client backend that the tests of this module only read."""
    return HbrBackend(fleet=400, seed=11, now=1_750_000_000)


class TestFleet:
    """The seeded fleet."""

    def test_fleet_size_counts_all_types(self, seeded: HbrBackend) -> None:
        """``fleet`` is the number of clients of the default account, over both types."""
        clients = seeded.clients()
        types = {c["ClientType"] for c in clients}
        assert len(clients) == 400
        assert types == {"ECS_CLIENT", "CONTAINER_CLIENT"}
        containers = sum(c["ClientType"] == "CONTAINER_CLIENT" for c in clients)
        assert 0.1 * 400 <= containers <= 0.2 * 400

    def test_fleet_same_seed_same_fleet(self) -> None:
        """Two backends with one seed and one clock hold the same fleet."""
        first = HbrBackend(fleet=50, seed=5, now=1_700_000_000).clients()
        second = HbrBackend(fleet=50, seed=5, now=1_700_000_000).clients()
        other = HbrBackend(fleet=50, seed=6, now=1_700_000_000).clients()
        assert first == second
        assert first != other

    def test_fleet_ids_have_the_service_shape(self, seeded: HbrBackend) -> None:
        """Client ids are ``c-`` and instance ids ``i-`` plus 20 lowercase alphanumerics."""
        clients = seeded.clients()
        assert all(re.fullmatch(r"c-[a-z0-9]{20}", c["ClientId"]) for c in clients)
        assert all(re.fullmatch(r"i-[a-z0-9]{20}", c["InstanceId"]) for c in clients)
        assert len({c["ClientId"] for c in clients}) == len(clients)

    def test_fleet_spread_covers_every_value(self, seeded: HbrBackend) -> None:
        """Every status, both backup statuses, every zone, OS and arch appear."""
        ecs = [c for c in seeded.clients() if c["ClientType"] == "ECS_CLIENT"]
        statuses = {c["Status"] for c in ecs}
        assert statuses == {*STATUSES, "ACTIVATED"}
        assert sum(c["Status"] == "ACTIVATED" for c in ecs) > len(ecs) / 2
        assert {c["BackupStatus"] for c in ecs} == {"PROTECTED", "UNPROTECTED"}
        assert {c["ZoneId"] for c in ecs} == set(ZONES)
        assert {c["OsType"] for c in ecs} == {"linux", "windows"}
        assert {c["ArchType"] for c in ecs} == {"amd64", "386"}

    def test_fleet_versions_heartbeats_and_proxies(self, seeded: HbrBackend) -> None:
        """Some clients lag the newest version, have stale heartbeats or a custom proxy."""
        clients = seeded.clients()
        assert {c["MaxClientVersion"] for c in clients} == {"2.13.10"}
        behind = [c for c in clients if _version(c["ClientVersion"]) < (2, 13, 10)]
        assert behind
        assert all(isinstance(c["CreatedTime"], int) for c in clients)
        stale = [c for c in clients if c["LastHeartBeatTime"] < seeded.now - 86_400]
        assert 0 < len(stale) < len(clients) / 2
        custom = [c for c in clients if c["Settings"]["DataProxySetting"] == "CUSTOM"]
        assert custom
        assert all(c["Settings"]["ProxyHost"] and c["Settings"]["ProxyPassword"] for c in custom)
        assert {t["Key"] for c in clients for t in c["Tags"]} == {"env", "team", "app"}

    def test_fleet_wire_types(self, seeded: HbrBackend) -> None:
        """``UseHttps``/``MaxCpuCore``/``MaxWorker`` are strings and ``Appliance`` a boolean."""
        for client in seeded.clients():
            settings = client["Settings"]
            assert settings["UseHttps"] in {"true", "false"}
            assert settings["MaxCpuCore"].isdigit()
            assert settings["MaxWorker"].isdigit()
            assert isinstance(client["Appliance"], bool)

    def test_fleet_container_clients_lack_ecs_fields(self, seeded: HbrBackend) -> None:
        """Container clients have no ECS-only field, and each belongs to a ``cl-`` cluster."""
        containers = [c for c in seeded.clients() if c["ClientType"] == "CONTAINER_CLIENT"]
        assert all(not set(ECS_ONLY_FIELDS) & set(c) for c in containers)
        clusters = {seeded.cluster_of(c["ClientId"]) for c in containers}
        assert all(re.fullmatch(r"cl-[a-z0-9]{20}", str(c)) for c in clusters)
        assert len(clusters) > 1

    def test_fleet_cross_account_is_small_and_separate(self, seeded: HbrBackend) -> None:
        """The cross-account fleet has 12 clients, none shared with the caller's fleet."""
        cross = seeded.clients(CROSS)
        assert len(cross) == 12
        assert not {c["ClientId"] for c in cross} & {c["ClientId"] for c in seeded.clients()}


class TestListing:
    """``list_page``."""

    def test_list_page_slices_in_listing_order(self, seeded: HbrBackend) -> None:
        """Pages are consecutive slices of the listing order, newest first."""
        ecs = [c["ClientId"] for c in seeded.clients() if c["ClientType"] == "ECS_CLIENT"]
        page = seeded.list_page(ListQuery(client_type="ECS_CLIENT", page_number=2, page_size=7))
        ids = [json.loads(f)["ClientId"] for f in page.fragments]
        assert page.total == len(ecs)
        assert ids == ecs[7:14]
        created = [c["CreatedTime"] for c in seeded.clients() if c["ClientType"] == "ECS_CLIENT"]
        assert created == sorted(created, reverse=True)

    def test_list_page_past_the_end_is_empty(self, seeded: HbrBackend) -> None:
        """A page after the last one has no clients but the full total."""
        page = seeded.list_page(ListQuery(client_type="ECS_CLIENT", page_number=99, page_size=99))
        assert page.fragments == []
        assert page.total > 0

    def test_list_page_filters_combine_with_and(self, seeded: HbrBackend) -> None:
        """Tags, filters and id lists all have to match."""
        query = ListQuery(
            client_type="ECS_CLIENT",
            page_size=99,
            tags=(("env", "prod"), ("team", None)),
            filters=(("status", frozenset({"ACTIVATED"})), ("unknownKey", frozenset({"x"}))),
        )
        page = seeded.list_page(query)
        clients = [json.loads(f) for f in page.fragments]
        assert clients
        for client in clients:
            tags = {t["Key"]: t["Value"] for t in client["Tags"]}
            assert tags["env"] == "prod"
            assert "team" in tags
            assert client["Status"] == "ACTIVATED"

    def test_list_page_unknown_cross_account_is_refused(self, seeded: HbrBackend) -> None:
        """An account with no fleet answers ``NoPermission``."""
        with pytest.raises(NoPermission):
            seeded.list_page(ListQuery(client_type="ECS_CLIENT", account="cross:1:nobody"))


class TestControl:
    """The Python control API."""

    def test_add_client_fills_defaults_and_goes_first(self) -> None:
        """An added client gets defaults, wire types, and leads the listing."""
        backend = HbrBackend(fleet=10, seed=1)
        added = backend.add_client({"Settings": {"UseHttps": True, "MaxWorker": 4}})
        assert re.fullmatch(r"c-[a-z0-9]{20}", added["ClientId"])
        assert added["Settings"]["UseHttps"] == "true"
        assert added["Settings"]["MaxWorker"] == "4"
        assert backend.clients()[0] == added

    def test_add_client_to_a_new_account(self) -> None:
        """Adding to an unknown account creates that account's fleet."""
        backend = HbrBackend(fleet=10, seed=1)
        backend.add_client({"ClientId": "c-abc"}, account="cross:42:role")
        assert [c["ClientId"] for c in backend.clients("cross:42:role")] == ["c-abc"]

    def test_update_client_merges_settings(self) -> None:
        """Changes replace fields, merge ``Settings`` and keep the client's place."""
        backend = HbrBackend(fleet=10, seed=1)
        target = backend.clients()[3]
        updated = backend.update_client(
            target["ClientId"], {"Status": "STOPPED", "Settings": {"MaxCpuCore": 2}}
        )
        assert updated["Status"] == "STOPPED"
        assert updated["Settings"]["MaxCpuCore"] == "2"
        assert updated["Settings"]["DataNetworkType"] == target["Settings"]["DataNetworkType"]
        assert backend.clients()[3] == updated

    def test_update_client_unknown_id_raises_key_error(self) -> None:
        """Updating an unknown client raises ``KeyError``."""
        with pytest.raises(KeyError):
            HbrBackend(fleet=1, seed=1).update_client("c-nope", {"Status": "STOPPED"})

    def test_update_client_cannot_change_type(self) -> None:
        """A client's type is fixed."""
        backend = HbrBackend(fleet=5, seed=1)
        client_id = backend.clients()[0]["ClientId"]
        with pytest.raises(ValueError, match="ClientType"):
            backend.update_client(client_id, {"ClientType": "CONTAINER_CLIENT"})

    def test_remove_client_then_reset_restores(self) -> None:
        """Removing drops a client; ``reset`` restores the seeded fleet, faults and log."""
        backend = HbrBackend(fleet=10, seed=1)
        original = backend.clients()
        backend.remove_client(original[0]["ClientId"])
        backend.set_faults(Faults(error_rate=1.0))
        backend.log_request(action="DescribeBackupClients", params={}, status=200, code="200")
        assert len(backend.clients()) == 9
        backend.reset()
        assert backend.clients() == original
        assert backend.faults == Faults()
        assert backend.request_log() == []
        assert backend.api_call_count() == 0

    def test_clients_internal_shows_cluster(self) -> None:
        """``internal=True`` adds the internal ``ClusterId`` of container clients."""
        backend = HbrBackend(fleet=40, seed=1)
        containers = [
            c for c in backend.clients(internal=True) if c["ClientType"] == "CONTAINER_CLIENT"
        ]
        assert containers
        assert all(c["ClusterId"].startswith("cl-") for c in containers)

    def test_mutate_after_pages_shifts_the_listing(self) -> None:
        """After N served pages, one client is added or removed, once."""
        backend = HbrBackend(fleet=30, seed=2, faults=None)
        backend.set_faults(Faults(mutate_after_pages=2))
        before = len(backend.clients())
        query = ListQuery(client_type="ECS_CLIENT", page_size=5)
        backend.list_page(query)
        assert len(backend.clients()) == before
        backend.list_page(query)
        after = len(backend.clients())
        assert abs(after - before) == 1
        backend.list_page(query)
        assert len(backend.clients()) == after


class TestData:
    """Loading ``--data`` files."""

    def test_data_list_and_envelope(self, tmp_path: Path) -> None:
        """A list and a ``{"Clients": [...]}`` envelope both load into the caller's fleet."""
        clients = [{"ClientId": "c-1", "ClientType": "ECS_CLIENT", "ZoneId": "cn-hangzhou-k"}]
        for document in (clients, {"Clients": clients}):
            path = tmp_path / "fleet.json"
            path.write_text(json.dumps(document))
            backend = HbrBackend(data=path)
            assert [c["ClientId"] for c in backend.clients()] == ["c-1"]
            assert backend.accounts() == ["self"]

    def test_data_accounts(self, tmp_path: Path) -> None:
        """``{"accounts": {...}}`` loads one fleet per account key, clusters kept internal."""
        document = {
            "accounts": {
                "self": [{"ClientId": "c-1"}],
                "cross:9:role": {
                    "Clients": [
                        {"ClientId": "c-2", "ClientType": "CONTAINER_CLIENT", "ClusterId": "cl-x"}
                    ]
                },
            }
        }
        path = tmp_path / "fleet.json"
        path.write_text(json.dumps(document))
        backend = HbrBackend(data=path)
        assert [c["ClientId"] for c in backend.clients("cross:9:role")] == ["c-2"]
        assert "ClusterId" not in backend.clients("cross:9:role")[0]
        assert backend.cluster_of("c-2") == "cl-x"

    def test_data_bad_shape_raises_value_error(self, tmp_path: Path) -> None:
        """A file that is neither a list nor an envelope is refused."""
        path = tmp_path / "fleet.json"
        path.write_text(json.dumps({"clients": 3}))
        with pytest.raises(ValueError, match="fleet must be"):
            HbrBackend(data=path)
