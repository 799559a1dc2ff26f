"""Compatibility address of the dynamic provider; the code lives in :mod:`.adapters.dynamic`.

States written by 0.1.0 pickle the provider (dill, by reference) as
``hbr_clients_provider.dynamic.BackupClientsProvider``, and ``python -m pulumi.dynamic``
unpickles it from there on every later preview, update, refresh and destroy. This module
keeps that address importing; nothing else should import it.
"""

from hbr_clients_provider.adapters.dynamic import BackupClientsProvider

__all__ = ["BackupClientsProvider"]
