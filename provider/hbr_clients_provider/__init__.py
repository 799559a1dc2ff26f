"""Query engine for Alibaba Cloud HBR ``DescribeBackupClients`` (API 2017-09-08).

The modules, one concern each: :mod:`.query` (validated query), :mod:`.models` (typed
results), :mod:`.wire` (wire names), :mod:`.connection` (endpoint and credentials),
:mod:`.network` (proxies and trusted CAs), :mod:`.transport` (one signed call, its HTTP step
in :mod:`.exchange`, the dependency's exceptions translated by :mod:`.translate`),
:mod:`.retry` and :mod:`.ratelimit` (resilience),
:mod:`.paging` (complete listings), :mod:`.errors` and :mod:`.cli`.
"""

from hbr_clients_provider.connection import ConnectionSettings
from hbr_clients_provider.durations import parse_duration
from hbr_clients_provider.errors import (
    ApiError,
    CredentialsError,
    DeadlineExceeded,
    FleetChangedError,
    HbrError,
    InvalidQuery,
    ResponseError,
    TlsError,
    TransportError,
    Violation,
)
from hbr_clients_provider.models import (
    BackupClient,
    ClientListing,
    ClientSettings,
    ClientsPage,
    Tag,
)
from hbr_clients_provider.paging import list_clients
from hbr_clients_provider.query import ClientQuery, Filter, TagFilter, validate_inputs
from hbr_clients_provider.retry import RetryPolicy

__all__ = [
    "ApiError",
    "BackupClient",
    "ClientListing",
    "ClientQuery",
    "ClientSettings",
    "ClientsPage",
    "ConnectionSettings",
    "CredentialsError",
    "DeadlineExceeded",
    "Filter",
    "FleetChangedError",
    "HbrError",
    "InvalidQuery",
    "ResponseError",
    "RetryPolicy",
    "Tag",
    "TagFilter",
    "TlsError",
    "TransportError",
    "Violation",
    "list_clients",
    "parse_duration",
    "validate_inputs",
]
