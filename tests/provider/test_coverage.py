"""Tests of :mod:`hbr_clients_provider.audit.coverage`: the estate audit over instances."""

from __future__ import annotations

from hbr_clients_provider.api.instances import EcsInstance
from hbr_clients_provider.api.models import BackupClient
from hbr_clients_provider.audit.coverage import (
    NO_BACKUP_CLIENT,
    ORPHAN_CLIENT,
    InstanceScope,
    Target,
    TargetError,
    TargetListing,
    audit_coverage,
)
from hbr_clients_provider.audit.rules import AuditRules

HZ = Target(region="cn-hangzhou")
SH = Target(region="cn-shanghai")


def _instance(n: int, status: str = "Running", **tags: str) -> EcsInstance:
    return EcsInstance.from_wire(
        {
            "InstanceId": f"i-{n}",
            "InstanceName": f"web-{n}",
            "Status": status,
            "Tags": {"Tag": [{"TagKey": k, "TagValue": v} for k, v in tags.items()]},
        }
    )


def _client(n: int, instance: int, status: str = "ACTIVATED") -> BackupClient:
    return BackupClient(
        client_id=f"c-{n}", instance_id=f"i-{instance}", client_type="ECS_CLIENT", status=status
    )


class TestAuditCoverage:
    def test_uncovered_instance_is_a_finding_with_its_facts(self) -> None:
        """An in-scope instance without a client is no_backup_client, naming name and tags."""
        listing = TargetListing(
            target=HZ, instances=(_instance(1, env="prod"), _instance(2)), clients=(_client(1, 1),)
        )
        report = audit_coverage([listing], require_client=True)
        (finding,) = report.findings
        assert (finding.rule, finding.region, finding.instance_id) == (
            NO_BACKUP_CLIENT,
            "cn-hangzhou",
            "i-2",
        )
        assert "web-2" in finding.detail
        assert report.summary.instances == 2
        assert report.summary.covered_instances == 1
        assert report.summary.coverage_percent == 50.0
        assert report.complete

    def test_orphan_client_is_told_from_an_out_of_scope_instance(self) -> None:
        """A client of a missing instance is an orphan; one of an out-of-scope instance is not."""
        listing = TargetListing(
            target=HZ,
            instances=(_instance(1, env="prod"), _instance(2, env="dev")),
            clients=(_client(1, 1), _client(2, 2), _client(3, 9)),
        )
        scope = InstanceScope(tags={"env": "prod"})
        report = audit_coverage([listing], scope=scope, require_client=True)
        assert [(f.rule, f.client_id) for f in report.findings] == [(ORPHAN_CLIENT, "c-3")]
        assert report.summary.instances == 1

    def test_client_rules_judge_clients_of_in_scope_instances(self) -> None:
        """The client rules apply to the clients of in-scope instances only."""
        listing = TargetListing(
            target=HZ,
            instances=(_instance(1, env="prod"), _instance(2, env="dev")),
            clients=(_client(1, 1, status="STOPPED"), _client(2, 2, status="STOPPED")),
        )
        report = audit_coverage(
            [listing],
            scope=InstanceScope(tags={"env": "prod"}),
            rules=AuditRules(require_activated=True),
        )
        assert [(f.rule, f.client_id) for f in report.findings] == [("not_activated", "c-1")]

    def test_released_instance_not_in_scope_by_default(self) -> None:
        """An instance being released is out of scope by default."""
        listing = TargetListing(target=HZ, instances=(_instance(1, status="Deleted"),))
        assert audit_coverage([listing], require_client=True).findings == ()

    def test_failed_target_makes_the_report_incomplete(self) -> None:
        """A target that failed is incomplete unless accepted by name, and never counted."""
        failed = TargetListing(
            target=SH, error=TargetError(code="ServiceNotActivated", message="no", request_id="R")
        )
        listed = TargetListing(target=HZ, instances=(_instance(1),), clients=(_client(1, 1),))
        report = audit_coverage([failed, listed])
        assert not report.complete
        assert [t.target.region for t in report.unreachable] == ["cn-shanghai"]
        assert report.summary.failed_targets == 1
        assert audit_coverage([failed, listed], allow_unreachable=["cn-shanghai"]).complete

    def test_target_accepted_by_account_or_account_region(self) -> None:
        """allow_unreachable names a region, an account, or account/region."""
        target = Target(account_id="1234567890123456", region="cn-beijing")
        assert target.accepted_by(["1234567890123456"])
        assert target.accepted_by(["1234567890123456/cn-beijing"])
        assert not target.accepted_by(["1234567890123456/cn-shanghai"])
