"""What the emulator serves: its accounts, client types, clusters and cross-account identities.

The same facts reach the user twice: as JSON under ``GET /_emulator/summary``, and as the
lines ``hbr-emulator serve`` logs to stderr at start, each spelled as the query flags that
select it (``--cluster-id cl-...``, ``--cross-account-user-id ... --cross-account-role-name
...``), so a user can copy a value that returns clients.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from typing import Any

import attrs

from hbr_emulator.defaults import CLIENT_TYPES, SELF_ACCOUNT

__all__ = ["AccountSummary", "parse_account_key", "summary_lines"]


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
