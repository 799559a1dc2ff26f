"""What the emulator serves: regions, accounts, client types, clusters, cross-account identities.

The same facts reach the user twice: as JSON under ``GET /_emulator/summary`` (and
``GET /_emulator/estate``), and as the lines ``hbr-emulator serve`` logs to stderr at
start: the regions with the host names that reach them, then each account spelled as the
query flags that select it (``--cluster-id cl-...``, ``--cross-account-user-id ...
--cross-account-role-name ...``), so a user can copy a value that returns clients. An
organisation adds a line per member account: its ID, its role ARN (or none), its regions.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from hbr_emulator.defaults import CLIENT_TYPES, SELF_ACCOUNT

if TYPE_CHECKING:
    from hbr_emulator.cloud import Cloud
    from hbr_emulator.quota import Quota

__all__ = [
    "AccountSummary",
    "organisation_lines",
    "parse_account_key",
    "quota_line",
    "region_lines",
    "summary_lines",
]


def parse_account_key(account: str) -> tuple[str, str] | None:
    """Return ``(user_id, role_name)`` of a ``cross:<uid>:<role>`` key, ``None`` for ``self``."""
    kind, _, rest = account.partition(":")
    user_id, _, role_name = rest.partition(":")
    if kind != "cross" or not user_id or not role_name:
        return None
    return user_id, role_name


@attrs.frozen(kw_only=True)
class AccountSummary:
    """One account's fleet: how many clients of each type, and the clusters they belong to."""

    account: str
    client_types: dict[str, int]
    clusters: dict[str, int]  # largest first, so the first cluster returns the most clients

    @classmethod
    def count(cls, account: str, records: Iterable[tuple[str, str | None]]) -> AccountSummary:
        """Summarise ``(client_type, cluster_id)`` pairs of one account."""
        types: collections.Counter[str] = collections.Counter()
        clusters: collections.Counter[str] = collections.Counter()
        for client_type, cluster_id in records:
            types[client_type] += 1
            if cluster_id:
                clusters[cluster_id] += 1
        return cls(
            account=account,
            client_types={t: types[t] for t in CLIENT_TYPES},
            clusters=dict(sorted(clusters.items(), key=lambda item: (-item[1], item[0]))),
        )

    @property
    def total(self) -> int:
        """Clients in the account."""
        return sum(self.client_types.values())

    def as_dict(self) -> dict[str, Any]:
        """The account as ``GET /_emulator/summary`` renders it (the API's PascalCase)."""
        cross = parse_account_key(self.account)
        return {
            "Account": self.account,
            "CrossAccountUserId": cross[0] if cross else None,
            "CrossAccountRoleName": cross[1] if cross else None,
            "TotalCount": self.total,
            "ClientTypes": dict(self.client_types),
            "Clusters": dict(self.clusters),
        }


def _types_text(summary: AccountSummary) -> str:
    return ", ".join(f"{t} {n}" for t, n in summary.client_types.items() if n)


#: How many clusters (the largest) a start-up line names; the summary JSON lists them all.
LOGGED_CLUSTERS = 10


def summary_lines(accounts: Iterable[AccountSummary]) -> list[str]:
    """Describe each account in lines a user can copy query flags from."""
    lines: list[str] = []
    for summary in accounts:
        cross = parse_account_key(summary.account)
        if summary.account == SELF_ACCOUNT:
            who = "own account"
        elif cross is not None:
            who = (
                f"cross account --cross-account-user-id {cross[0]}"
                f" --cross-account-role-name {cross[1]}"
            )
        else:
            who = f"account {summary.account}"
        lines.append(f"{who}: {summary.total} clients ({_types_text(summary) or 'none'})")
        if summary.clusters:
            shown = list(summary.clusters.items())[:LOGGED_CLUSTERS]
            clusters = ", ".join(f"{c} ({n})" for c, n in shown)
            rest = len(summary.clusters) - len(shown)
            more = f", ... and {rest} more (GET /_emulator/summary)" if rest else ""
            lines.append(f"  CONTAINER_CLIENT --cluster-id: {clusters}{more}")
    return lines


def region_lines(cloud: Cloud) -> list[str]:
    """Describe the regions served: the hosts that reach them and, for an estate, their counts.

    A single fleet's region is not counted: its ECS instances are derived from the fleet
    only when first asked for, which a large fleet should not pay for at start.
    """
    if cloud.estate is None:
        only = cloud.default_region
        return [
            f"region {only} (hbr.{only}.aliyuncs.com, ecs.{only}.aliyuncs.com or a plain "
            "address); ECS lists one instance per ECS_CLIENT client"
        ]
    truth = cloud.truth()
    off = [r.region_id for r in truth.regions if not r.hbr_activated]
    lines = [
        f"regions: {', '.join(cloud.regions)} (a plain address serves {cloud.default_region}"
        + (f"; HBR not activated in {', '.join(off)})" if off else ")")
    ]
    for region in truth.regions:
        stopped = sum(1 for i in region.instances if i.status == "Stopped")
        hbr = f"{len(region.clients)} clients" if region.hbr_activated else "HBR not activated"
        lines.append(
            f"  {region.region_id} (hbr.{region.region_id}.aliyuncs.com, "
            f"ecs.{region.region_id}.aliyuncs.com): {len(region.instances)} instances "
            f"({stopped} Stopped), {hbr}; uncovered {len(region.uncovered_instance_ids)}, "
            f"orphans {len(region.orphan_client_ids)}"
        )
    return lines


def quota_line(quota: Quota | None) -> str:
    """Describe the API quota in force."""
    if quota is None:
        return "quota: none"
    scope = "for the whole account" if quota.scope == "account" else "per region and API"
    return f"quota: {quota.per_s:g} calls per second {scope} (then 400 Throttling.User)"


def organisation_lines(cloud: Cloud) -> list[str]:
    """Describe an organisation: the directory, then each member: ID, role (or none), regions."""
    directory = cloud.directory
    if directory is None:
        return []
    organisation = directory.organisation
    lines = [
        f"organisation {organisation.resource_directory_id}: management account "
        f"{organisation.management_account_id} (the AccessKey above; its regions above), "
        f"{len(organisation.members)} members; AssumeRole at sts.aliyuncs.com, ListAccounts "
        "at resourcemanager.aliyuncs.com (or a plain address)"
    ]
    truth = directory.truth(cloud)
    for index, member in enumerate(organisation.members, start=1):
        account = truth.account(member.account_id)
        if member.role_arn is None:
            role = "no access role"
        elif member.role_assumable:
            role = f"role {member.role_arn}"
        else:
            role = f"role {member.role_arn} (not assumable: {member.status})"
        gaps = ", ".join(
            f"{r.region_id} uncovered {len(r.uncovered_instance_ids)} "
            f"orphans {len(r.orphan_client_ids)}"
            + ("" if r.hbr_activated else " (HBR not activated)")
            for r in account.estate.regions
        )
        throttled = f"; throttled at {account.quota_per_s:g} calls/s" if account.quota_per_s else ""
        lines.append(
            f"  member {index} {member.account_id} {member.display_name} ({member.type}, "
            f"{member.status}): {role}; regions {gaps}{throttled}"
        )
    if organisation.token_lifetime_s is not None:
        lines.append(f"STS credentials expire after at most {organisation.token_lifetime_s:g} s")
    return lines
