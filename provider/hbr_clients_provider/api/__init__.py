"""The HBR API client: ``DescribeBackupClients`` queried, sent, retried, paged and validated.

:mod:`.query` (validated query), :mod:`.models` (typed results), :mod:`.wire` (wire names),
:mod:`.connection` (endpoint and credentials), :mod:`.network` (proxies and trusted CAs),
:mod:`.transport` (one signed call, its HTTP step in :mod:`.exchange`, the dependency's
exceptions translated by :mod:`.translate`), :mod:`.retry` and :mod:`.ratelimit`
(resilience), :mod:`.paging` (complete listings) and :mod:`.limits` (their bounds).

Nothing here imports the audit, the Pulumi adapters or the command line; the errors live
one level up in :mod:`hbr_clients_provider.errors` because every layer raises them.
"""
