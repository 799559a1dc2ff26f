"""Query engine for Alibaba Cloud HBR ``DescribeBackupClients`` (API 2017-09-08).

The subpackages, one concern each, imports flowing one way (the API client never imports
the layers above it): :mod:`.api` (the HBR API client: query, models, wire format,
transport, retries, paging), :mod:`.audit` (the fleet audit and its report) and
:mod:`.adapters` (what serves Pulumi: the dynamic provider and the ``hbr`` provider
plugin); :mod:`.errors` (used by every layer) and :mod:`.cli` (``hbr-clients``).
"""

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.durations import parse_duration
from hbr_clients_provider.api.models import (
    BackupClient,
    ClientListing,
    ClientSettings,
    ClientsPage,
    Tag,
)
from hbr_clients_provider.api.paging import list_clients
from hbr_clients_provider.api.query import ClientQuery, Filter, TagFilter, validate_inputs
from hbr_clients_provider.api.retry import RetryPolicy
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
