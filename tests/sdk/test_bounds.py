"""Bounds and out-of-range inputs through the resource's check() and the lookups."""

from __future__ import annotations

import pytest

import pulumi_hbr_clients as hbr
from hbr_clients_provider.adapters.dynamic import BackupClientsProvider
from hbr_clients_provider.errors import TooManyClientsError
from hbr_emulator import Emulator

OUT_OF_RANGE = {
    "client_type": "ECS_CLIEN",
    "heartbeat_older_than": "100000000w",
    "cross_account_user_id": "\u0661\u0662\u0663",
    "cross_account_role_name": "hbrcrossrole",
    "name_regex": r"(a)\1",
    "max_clients": 0,
    "deadline": "inf",
}


def test_check_names_each_input_value_and_rule(emulator_env: Emulator) -> None:
    """check() returns one failure per bad input, with its value and rule; nothing is sent."""
    result = BackupClientsProvider().check({}, dict(OUT_OF_RANGE))
    reasons = {f.property: f.reason for f in result.failures}
    assert set(reasons) == set(OUT_OF_RANGE) - {"cross_account_role_name"}
    assert reasons["client_type"].endswith("(got 'ECS_CLIEN'); did you mean ECS_CLIENT?")
    assert reasons["heartbeat_older_than"] == (
        "must be at most 3650d (got '100000000w'); did you mean 3650d?"
    )
    assert "(got 'inf')" in reasons["deadline"]
    assert emulator_env.backend.api_call_count() == 0


def test_lookup_refuses_out_of_range_before_sending(emulator_env: Emulator) -> None:
    """get_backup_clients raises a RunError naming every bad argument; nothing is sent."""
    with pytest.raises(hbr.BackupClientsLookupError) as info:
        hbr.get_backup_clients(**OUT_OF_RANGE)  # type: ignore[arg-type]
    message = str(info.value)
    for name in set(OUT_OF_RANGE) - {"cross_account_role_name"}:
        assert f"{name}: " in message
    assert emulator_env.backend.api_call_count() == 0


def test_lookup_max_clients_refused_after_one_request(emulator_env: Emulator) -> None:
    """max_clients below the fleet fails the lookup after one request, the bound named."""
    with pytest.raises(hbr.BackupClientsLookupError) as info:
        hbr.get_backup_clients(client_type="ECS_CLIENT", max_clients=5)
    assert isinstance(info.value.cause, TooManyClientsError)
    assert info.value.cause.max_clients == 5
    assert emulator_env.backend.api_call_count() == 1
