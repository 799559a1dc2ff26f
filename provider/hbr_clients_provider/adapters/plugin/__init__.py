"""The ``hbr`` Pulumi provider plugin: the lookup for programs in every Pulumi language.

``pulumi-resource-hbr`` serves package ``hbr`` on the same query engine as the dynamic
provider and the Python SDK: the function ``hbr:index:getBackupClients``, the function
``hbr:index:auditBackupClients`` and the resource ``hbr:index:BackupClients``. The modules:
:mod:`.names` (snake_case <-> camelCase), :mod:`.schema` (the package schema, generated from
the models), :mod:`.values` (property values in and out), :mod:`.provider` (what each
request does) and :mod:`.server` (the gRPC server the engine talks to).
"""

from hbr_clients_provider.adapters.plugin.provider import HbrProvider
from hbr_clients_provider.adapters.plugin.schema import build_schema
from hbr_clients_provider.adapters.plugin.server import main

__all__ = ["HbrProvider", "build_schema", "main"]
