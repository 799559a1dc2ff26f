"""An offline emulator of Alibaba Cloud HBR's ``DescribeBackupClients`` API, and of a small cloud.

Start it with ``hbr-emulator serve``, ``with Emulator(...) as emu:`` or the
``emulator`` pytest fixture; ``Emulator(estate=Estate(...))`` serves several regions
with ECS instances too, and ``Emulator(organisation=Organisation(...))`` a resource
directory of accounts (STS ``AssumeRole``, ResourceManager ``ListAccounts``). See
``emulator/README.md``.
"""

from hbr_emulator.defaults import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    DEFAULT_CROSS_ACCOUNT_ROLE_NAME,
    DEFAULT_CROSS_ACCOUNT_USER_ID,
    DEFAULT_REGION,
)
from hbr_emulator.emulator import Emulator
from hbr_emulator.estate import Estate, EstateError
from hbr_emulator.faults import Faults
from hbr_emulator.organisation import (
    DEFAULT_ACCESS_ROLE,
    Member,
    Organisation,
    OrganisationError,
)
from hbr_emulator.quota import Quota
from hbr_emulator.truth import AccountTruth, EstateTruth, OrganisationTruth, RegionTruth

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "DEFAULT_ACCESS_ROLE",
    "DEFAULT_CROSS_ACCOUNT_ROLE_NAME",
    "DEFAULT_CROSS_ACCOUNT_USER_ID",
    "DEFAULT_REGION",
    "AccountTruth",
    "Emulator",
    "Estate",
    "EstateError",
    "EstateTruth",
    "Faults",
    "Member",
    "Organisation",
    "OrganisationError",
    "OrganisationTruth",
    "Quota",
    "RegionTruth",
]
