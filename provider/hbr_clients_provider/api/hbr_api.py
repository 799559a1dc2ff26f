"""The HBR (2017-09-08) actions this package calls, as :class:`~.operations.Operation` data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from hbr_clients_provider.api import wire
from hbr_clients_provider.api.constants import MAX_PAGE_SIZE
from hbr_clients_provider.api.models import BackupClient, ClientsPage
from hbr_clients_provider.api.operations import Operation, PagingSpec

__all__ = ["DESCRIBE_BACKUP_CLIENTS", "DESCRIBE_REGIONS", "PRODUCT"]

#: The product code of the endpoint rules (``hbr.<region>.aliyuncs.com``).
PRODUCT: Final = "hbr"


def _read_page(answer: Mapping[str, Any], endpoint: str) -> ClientsPage:
    return ClientsPage.from_wire(answer, endpoint=endpoint)


def _client_id(client: BackupClient) -> str:
    return client.client_id


#: ``DescribeBackupClients``: ``PageNumber``/``PageSize`` in, ``TotalCount``/``Clients`` out.
DESCRIBE_BACKUP_CLIENTS: Final = Operation(
    product=PRODUCT,
    version=wire.VERSION,
    action=wire.ACTION,
    encode=wire.encode_request,
    paging=PagingSpec(
        page_number_param="page_number",
        page_size_param="page_size",
        max_page_size=MAX_PAGE_SIZE,
        read=_read_page,
        key=_client_id,
        noun="client",
    ),
)


def _no_params(_params: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    return {}, {}


#: ``DescribeRegions``: the regions HBR is offered in (:mod:`.regions`); it does not page.
DESCRIBE_REGIONS: Final = Operation(
    product=PRODUCT, version=wire.VERSION, action=wire.REGIONS_ACTION, encode=_no_params
)
