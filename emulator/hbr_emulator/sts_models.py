"""State of the emulated STS, with no HTTP: role ARNs, role sessions, the credentials issued.

:class:`SessionStore` issues temporary credentials (``STS.`` AccessKey ID, secret, security
token) for a member account and remembers them until well after they expire, so that a
call with an expired token answers ``InvalidSecurityToken.Expired`` rather than an unknown
key. The credentials are random (``secrets``): nothing about them is seeded.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
import threading
import time

import attrs

from hbr_emulator.auth import Credentials
from hbr_emulator.exceptions import InvalidParameterRoleArn

__all__ = ["EXPIRATION_FORMAT", "KEEP_EXPIRED_S", "RoleArn", "Session", "SessionStore"]

EXPIRATION_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""``Credentials.Expiration``: ISO 8601, UTC, to the second."""

KEEP_EXPIRED_S = 3600.0
"""How long expired credentials are remembered (then they are an unknown key)."""

_ROLE_ARN = re.compile(r"^acs:ram::(?P<account>[0-9]{1,32}):role/(?P<role>[A-Za-z0-9.-]{1,64})$")
_ALPHANUMERIC = string.ascii_letters + string.digits


def _random(size: int, alphabet: str = _ALPHANUMERIC) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(size))


@attrs.frozen(kw_only=True)
class RoleArn:
    """A RAM role's ARN, ``acs:ram::<account-id>:role/<role-name>``."""

    account_id: str
    role_name: str

    @classmethod
    def parse(cls, text: str) -> RoleArn:
        """Parse ``text``; ``InvalidParameter.RoleArn`` if it is not a role ARN."""
        match = _ROLE_ARN.match(text.strip())
        if match is None:
            msg = (
                f"The parameter RoleArn is wrongly formed: {text!r} is not "
                "acs:ram::<account-id>:role/<role-name>."
            )
            raise InvalidParameterRoleArn(msg)
        return cls(account_id=match["account"], role_name=match["role"])

    def __str__(self) -> str:
        """The ARN as RAM writes it (role name lowercased)."""
        return f"acs:ram::{self.account_id}:role/{self.role_name.lower()}"


@attrs.frozen(kw_only=True)
class Session:
    """A role session: the role assumed, the session's name and the credentials issued."""

    role_arn: RoleArn
    session_name: str
    credentials: Credentials
    issued_at: float

    @property
    def account_id(self) -> str:
        """The account whose role was assumed."""
        return self.role_arn.account_id

    @property
    def expires_at(self) -> float:
        """When the credentials expire (epoch seconds)."""
        expires = self.credentials.expires_at
        return self.issued_at if expires is None else expires

    @property
    def expiration(self) -> str:
        """``Credentials.Expiration``, e.g. ``2026-12-07T07:00:00Z``."""
        return time.strftime(EXPIRATION_FORMAT, time.gmtime(self.expires_at))

    @property
    def arn(self) -> str:
        """``AssumedRoleUser.Arn``: ``acs:ram::<account>:role/<role>/<session name>``."""
        return f"{self.role_arn}/{self.session_name}"

    @property
    def assumed_role_id(self) -> str:
        """``AssumedRoleUser.AssumedRoleId``: the role's 18-digit ID, ``:``, the session name."""
        digest = hashlib.sha256(str(self.role_arn).encode()).hexdigest()
        return f"3{int(digest, 16) % 10**17:017d}:{self.session_name}"


class SessionStore:
    """The role sessions STS issued, by AccessKey ID; thread-safe."""

    def __init__(self) -> None:
        """Start with no session."""
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}

    def issue(
        self, *, role_arn: RoleArn, session_name: str, lifetime_s: float, now: float | None = None
    ) -> Session:
        """Issue credentials acting in ``role_arn``'s account, expiring ``lifetime_s`` from now."""
        moment = time.time() if now is None else now
        credentials = Credentials(
            access_key_id=f"STS.{_random(25)}",
            access_key_secret=_random(44),
            security_token=f"CAIS{_random(300, _ALPHANUMERIC + '+/')}",
            account_id=role_arn.account_id,
            expires_at=moment + lifetime_s,
        )
        session = Session(
            role_arn=role_arn, session_name=session_name, credentials=credentials, issued_at=moment
        )
        with self._lock:
            forgotten = [
                key
                for key, old in self._sessions.items()
                if old.expires_at + KEEP_EXPIRED_S < moment
            ]
            for key in forgotten:
                del self._sessions[key]
            self._sessions[credentials.access_key_id] = session
        return session

    def credentials(self, access_key_id: str) -> Credentials | None:
        """Return the credentials of an issued AccessKey ID, None if STS did not issue it."""
        with self._lock:
            session = self._sessions.get(access_key_id)
        return session.credentials if session is not None else None

    def session(self, access_key_id: str) -> Session | None:
        """Return the session of an issued AccessKey ID, None if STS did not issue it."""
        with self._lock:
            return self._sessions.get(access_key_id)

    def sessions(self) -> list[Session]:
        """Return every session remembered, oldest first."""
        with self._lock:
            return list(self._sessions.values())

    def expire(self, *, account_id: str | None = None, now: float | None = None) -> int:
        """Expire the credentials issued (for ``account_id`` only, if given); return how many."""
        moment = time.time() if now is None else now
        count = 0
        with self._lock:
            for key, session in self._sessions.items():
                if account_id is not None and session.account_id != account_id:
                    continue
                if session.expires_at > moment:
                    credentials = attrs.evolve(session.credentials, expires_at=moment)
                    self._sessions[key] = attrs.evolve(session, credentials=credentials)
                    count += 1
        return count
