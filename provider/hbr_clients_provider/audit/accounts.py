"""Reaching the accounts of a Resource Directory: which members, and as whom.

* :func:`list_member_accounts` pages ResourceManager ``ListAccounts`` (the caller must be the
  management account or a delegated administrator) through the one paging engine.
* :class:`RoleSessions` assumes, for each member, the RAM role
  ``acs:ram::<account-id>:role/<role-name>`` with STS ``AssumeRole`` (session name
  :data:`~hbr_clients_provider.api.sts_api.SESSION_NAME`, :data:`DEFAULT_ROLE_NAME` unless
  told otherwise, one hour), and hands out the member's :class:`ConnectionSettings`: the
  caller's protocol, network and ``connect_to`` with the session's temporary credentials.
  A session is renewed before it expires (:data:`REFRESH_MARGIN_S` before), each time a
  listing asks for it, so a long audit never lists with an expired token; :meth:`renew`
  forces it after a ``InvalidSecurityToken`` answer.

Temporary credentials live in memory only; :class:`~.api.sts_api.AssumedRole` and
:class:`ConnectionSettings` keep the secret and the token out of every ``repr``.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Final

import attrs

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.limits import ListingLimits
from hbr_clients_provider.api.paging import Pager
from hbr_clients_provider.api.retry import RetryPolicy
from hbr_clients_provider.api.rm_api import LIST_ACCOUNTS, Account
from hbr_clients_provider.api.sts_api import (
    ASSUME_ROLE,
    DEFAULT_DURATION_S,
    GET_CALLER_IDENTITY,
    SESSION_NAME,
    AssumedRole,
    read_assumed_role,
    read_caller_account,
    role_arn,
)
from hbr_clients_provider.api.transport import Transport

__all__ = ["DEFAULT_ROLE_NAME", "REFRESH_MARGIN_S", "RoleSessions", "list_member_accounts"]

#: The role Resource Directory creates in every account it creates.
DEFAULT_ROLE_NAME: Final = "ResourceDirectoryAccountAccessRole"

#: A session is renewed when fewer seconds than this are left.
REFRESH_MARGIN_S: Final = 300.0


def _home(connection: ConnectionSettings) -> str:
    return connection.region or "cn-hangzhou"


def list_member_accounts(
    connection: ConnectionSettings, *, deadline: float, retry: RetryPolicy | None = None
) -> tuple[Account, ...]:
    """Every member account of the caller's Resource Directory, in the API's order.

    :param deadline: an absolute :func:`time.monotonic` instant.
    :raises HbrError: when the directory cannot be listed.
    """
    manager = connection.for_service("resourcemanager", _home(connection))
    pager = Pager(
        Transport(manager),
        operation=LIST_ACCOUNTS,
        retry=retry,
        limits=ListingLimits(deadline_s=max(0.1, deadline - time.monotonic())),
    )
    accounts, _ = pager.list_all(lambda number, size: {"page_number": number, "page_size": size})
    return tuple(accounts)


@attrs.define
class _Session:
    lock: threading.Lock = attrs.field(factory=threading.Lock)
    assumed: AssumedRole | None = None


class RoleSessions:
    """One role session per member account, renewed before it expires (module docstring)."""

    def __init__(
        self,
        caller: ConnectionSettings,
        *,
        role_name: str = DEFAULT_ROLE_NAME,
        duration_s: int = DEFAULT_DURATION_S,
        deadline: float,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Sessions assumed with ``caller``'s credentials, each call bounded by ``deadline``."""
        self.caller = caller
        self.role_name = role_name
        self.duration_s = duration_s
        self.deadline = deadline
        self.retry = retry or RetryPolicy()
        self._sts: Transport | None = None  # made at the first call
        self._caller_account_id: str | None = None
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()
        #: How many times ``AssumeRole`` was called, per account (for reports and tests).
        self.assumed: dict[str, int] = {}

    def _session(self, account_id: str) -> _Session:
        with self._lock:
            return self._sessions.setdefault(account_id, _Session())

    def _transport(self) -> Transport:
        with self._lock:
            if self._sts is None:
                self._sts = Transport(self.caller.for_service("sts", _home(self.caller)))
            return self._sts

    def caller_account_id(self) -> str:
        """The caller's own account ID (STS ``GetCallerIdentity``), asked once.

        :raises HbrError: when STS cannot say.
        """
        if self._caller_account_id is None:
            sts = self._transport()
            answer = sts.call({}, deadline=self.deadline, operation=GET_CALLER_IDENTITY)
            self._caller_account_id = read_caller_account(answer, sts.connection.endpoint)
        return self._caller_account_id

    def _assume(self, account_id: str) -> AssumedRole:
        params = {
            "role_arn": role_arn(account_id, self.role_name),
            "role_session_name": SESSION_NAME,
            "duration_seconds": self.duration_s,
        }
        sts = self._transport()
        with self._lock:
            self.assumed[account_id] = self.assumed.get(account_id, 0) + 1
        answer = sts.call(params, deadline=self.deadline, operation=ASSUME_ROLE)
        return read_assumed_role(answer, sts.connection.endpoint)

    def connection_for(self, account_id: str, *, renew: bool = False) -> ConnectionSettings:
        """The member's connection, with a session that has at least the margin left.

        :raises HbrError: when the role cannot be assumed (``EntityNotExist.Role``,
            ``NoPermission``, ...).
        """
        session = self._session(account_id)
        with session.lock:
            assumed = session.assumed
            if (
                renew
                or assumed is None
                or assumed.seconds_left(datetime.now(UTC)) < (REFRESH_MARGIN_S)
            ):
                assumed = session.assumed = self._assume(account_id)
        return attrs.evolve(
            self.caller,
            access_key_id=assumed.access_key_id,
            access_key_secret=assumed.access_key_secret,
            security_token=assumed.security_token,
            profile=None,
            endpoint_given=False,
        )
