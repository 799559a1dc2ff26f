"""An offline emulator of Alibaba Cloud HBR's ``DescribeBackupClients`` API.

Start it with ``hbr-emulator serve``, ``with Emulator(...) as emu:`` or the
``emulator`` pytest fixture; see ``emulator/README.md``.
"""

from hbr_emulator.defaults import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    DEFAULT_CROSS_ACCOUNT_ROLE_NAME,
    DEFAULT_CROSS_ACCOUNT_USER_ID,
    DEFAULT_REGION,
)
from hbr_emulator.emulator import Emulator
from hbr_emulator.faults import Faults

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "DEFAULT_CROSS_ACCOUNT_ROLE_NAME",
    "DEFAULT_CROSS_ACCOUNT_USER_ID",
    "DEFAULT_REGION",
    "Emulator",
    "Faults",
]
