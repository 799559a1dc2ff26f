"""Tests of :mod:`hbr_clients_provider.api.regions`: endpoints and the region check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hbr_clients_provider.api import regions
from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.paging import list_clients
from hbr_clients_provider.cli import main
from hbr_clients_provider.errors import ApiError, InvalidQuery, MalformedResponseError
from hbr_emulator import Emulator
from tests.emulator.helpers import sdk_client

from ._support import connect, point_env_at


@pytest.fixture(autouse=True)
def _forget_answers() -> Iterator[None]:
    """Each test asks DescribeRegions afresh (answers are kept per endpoint)."""
    regions._ASKED.clear()
    yield
    regions._ASKED.clear()


class TestEndpoints:
    def test_endpoint_for_regional(self) -> None:
        """An ordinary region has its own public and VPC endpoints."""
        assert regions.endpoint_for("cn-shanghai") == "hbr.cn-shanghai.aliyuncs.com"
        assert regions.endpoint_for("cn-shanghai", network="vpc") == (
            "hbr-vpc.cn-shanghai.aliyuncs.com"
        )

    def test_endpoint_for_special_region(self) -> None:
        """A region of the official SDK's map uses the central endpoint."""
        assert regions.endpoint_for("cn-wuhan") == "hbr.aliyuncs.com"

    def test_resolve_uses_the_map(self) -> None:
        """ConnectionSettings.resolve builds the endpoint as the official SDK does."""
        settings = ConnectionSettings.resolve(
            region="cn-fujian", access_key_id="id", access_key_secret="secret", environ={}
        )
        assert settings.endpoint == "hbr.aliyuncs.com"

    def test_special_regions_match_the_official_sdk(self) -> None:
        """The shared-endpoint regions are exactly those of alibabacloud-hbr20170908's map."""
        client = sdk_client("127.0.0.1:1")
        official = {r for r, e in client._endpoint_map.items() if e == regions.SHARED_ENDPOINT}
        assert official == set(regions.SHARED_ENDPOINT_REGIONS)


class TestCheckRegion:
    def test_published_region_sends_nothing(self) -> None:
        """A published region is accepted without asking DescribeRegions."""

        def refuse() -> list[str]:
            raise AssertionError

        regions.check_region("cn-hangzhou", endpoint="e", describe_regions=refuse)

    def test_misspelt_region_did_you_mean(self) -> None:
        """A region DescribeRegions does not list is refused with the closest names."""
        with pytest.raises(InvalidQuery) as caught:
            regions.check_region(
                "cn-hangzou", endpoint="e", describe_regions=lambda: ["cn-hangzhou", "cn-beijing"]
            )
        (violation,) = caught.value.violations
        assert violation.field == "region"
        assert violation.value == "cn-hangzou"
        assert "did you mean cn-hangzhou?" in str(caught.value)

    def test_new_region_accepted_when_hbr_lists_it(self) -> None:
        """A region missing from the published map passes once DescribeRegions lists it."""
        regions.check_region(
            "xx-newplace-1", endpoint="e", describe_regions=lambda: ["xx-newplace-1"]
        )

    def test_unconfirmed_region_refused(self) -> None:
        """When DescribeRegions fails, an unpublished region is refused, saying why."""

        def fails() -> list[str]:
            raise ApiError(code="NoPermission", message="denied", request_id="R1")

        with pytest.raises(InvalidQuery, match=r"could not confirm it.*NoPermission"):
            regions.check_region("cn-hangzou", endpoint="e", describe_regions=fails)

    def test_bad_shape_refused_without_asking(self) -> None:
        """A value that is no region ID at all is refused before any request."""
        with pytest.raises(InvalidQuery, match="must be a region ID"):
            regions.check_region("CN Hangzhou", endpoint="e", describe_regions=list)

    def test_answer_without_regions_is_malformed(self) -> None:
        """A DescribeRegions answer without its list is a malformed response."""
        with pytest.raises(MalformedResponseError):
            regions.offered_regions({"RequestId": "R", "Success": True})


class TestThroughTheEmulator:
    def test_official_sdk_describe_regions(self, emulator: Emulator) -> None:
        """The emulator answers DescribeRegions as the official SDK expects."""
        answer = sdk_client(emulator.endpoint).describe_regions()
        ids = {r.region_id for r in answer.body.regions.region}
        assert "cn-hangzhou" in ids
        assert answer.body.success is True

    def test_listing_refuses_misspelt_region(self, emulator: Emulator) -> None:
        """With an endpoint set, a misspelt region is refused before any client is listed."""
        with pytest.raises(InvalidQuery, match="did you mean cn-hangzhou"):
            list_clients(
                {"client_type": "ECS_CLIENT"}, connection=connect(emulator, region="cn-hangzou")
            )
        assert emulator.backend.api_call_count("DescribeBackupClients") == 0
        assert emulator.backend.api_call_count("DescribeRegions") == 1

    def test_cli_misspelt_region_exit_2(
        self,
        emulator: Emulator,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """hbr-clients refuses --region cn-hangzou with exit 2 and a did-you-mean."""
        point_env_at(monkeypatch, emulator.endpoint)
        code = main(["audit", "--client-type", "ECS_CLIENT", "--region", "cn-hangzou"])
        err = capsys.readouterr().err
        assert code == 2
        assert "--region" in err
        assert "did you mean cn-hangzhou?" in err
        assert emulator.backend.api_call_count("DescribeBackupClients") == 0
