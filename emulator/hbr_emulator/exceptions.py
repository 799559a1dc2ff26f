"""Errors the emulated APIs (HBR, ECS, STS, ResourceManager) answer with, and their JSON rendering.

Every class carries its wire ``code`` and HTTP ``status``; one function,
:func:`render_error`, turns any of them into the service's error envelope::

    HbrApiError                            (the root of every service's errors alike)
    ├── IncompleteSignature            400
    ├── SignatureDoesNotMatch          400
    ├── InvalidAccessKeyIdNotFound     404
    ├── InvalidTimeStampFormat         400
    ├── InvalidTimeStampExpired        400
    ├── SignatureNonceUsed             400
    ├── InvalidSecurityTokenMismatch   400
    ├── InvalidSecurityTokenExpired    400  (``InvalidSecurityToken.Expired``)
    ├── InvalidActionNotFound          404
    ├── InvalidVersion                 400
    ├── MissingClientType              400
    ├── MissingParameter               400
    ├── InvalidParameter               400
    ├── NoPermission                   403
    ├── MissingRegionId                400
    ├── InvalidRegionIdNotFound        404  (``InvalidRegionId.NotFound``)
    ├── ServiceNotActivated            403
    ├── InvalidInstanceIdsMalformed    400  (``InvalidInstanceIds.Malformed``)
    ├── InvalidInstanceIdsValueNotSupported 400 (``InvalidInstanceIds.ValueNotSupported``)
    ├── InvalidStatusValueNotSupported 400  (``InvalidStatus.ValueNotSupported``)
    ├── InvalidTagMismatch             400  (``InvalidTag.Mismatch``)
    ├── Throttling                     400  (``Throttling.User``)
    ├── MissingRoleArn                 400  (STS)
    ├── MissingRoleSessionName         400  (STS)
    ├── InvalidParameterRoleArn        400  (``InvalidParameter.RoleArn``)
    ├── InvalidParameterRoleSessionName 400 (``InvalidParameter.RoleSessionName``)
    ├── InvalidParameterDurationSeconds 400 (``InvalidParameter.DurationSeconds``)
    ├── InvalidParameterPolicyGrammar  400  (``InvalidParameter.PolicyGrammar``)
    ├── EntityNotExistRole             404  (``EntityNotExist.Role``)
    ├── InternalError                  500
    └── ServiceUnavailable             503
"""

# ruff: noqa: N818  # classes are named after the wire codes they answer with, as in moto

from __future__ import annotations

import json
from typing import ClassVar

HOST_ID = "hbr.cn-hangzhou.aliyuncs.com"
"""``HostId`` of an error envelope when no other is given (the default region's HBR)."""


class HbrApiError(Exception):
    """An error an emulated API answers with: a wire code, an HTTP status, a message."""

    code: ClassVar[str] = "InternalError"
    status: ClassVar[int] = 500
    default_message: ClassVar[str] = "The request processing has failed due to some unknown error."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class IncompleteSignature(HbrApiError):
    """The Authorization header or the RPC signature parameters are missing or garbled."""

    code = "IncompleteSignature"
    status = 400
    default_message = "The request signature does not conform to Aliyun standards."


class SignatureDoesNotMatch(HbrApiError):
    """The recomputed signature differs from the one sent."""

    code = "SignatureDoesNotMatch"
    status = 400
    default_message = "Specified signature is not matched with our calculation."


class InvalidAccessKeyIdNotFound(HbrApiError):
    """The AccessKey ID is not known to the emulator."""

    code = "InvalidAccessKeyId.NotFound"
    status = 404
    default_message = "Specified access key is not found."


class InvalidTimeStampFormat(HbrApiError):
    """The request date cannot be parsed."""

    code = "InvalidTimeStamp.Format"
    status = 400
    default_message = "Specified time stamp or date value is not well formatted."


class InvalidTimeStampExpired(HbrApiError):
    """The request date is more than 15 minutes away from the server clock."""

    code = "InvalidTimeStamp.Expired"
    status = 400
    default_message = "Specified time stamp or date value is expired."


class SignatureNonceUsed(HbrApiError):
    """The signature nonce was already used in the last 15 minutes."""

    code = "SignatureNonceUsed"
    status = 400
    default_message = "Specified signature nonce was used already."


class InvalidSecurityTokenMismatch(HbrApiError):
    """An STS token is configured and the request's token is missing or different."""

    code = "InvalidSecurityToken.Mismatch"
    status = 400
    default_message = "Specified SecurityToken mismatch with the AccessKey."


class InvalidSecurityTokenExpired(HbrApiError):
    """The STS token the emulator issued has expired."""

    code = "InvalidSecurityToken.Expired"
    status = 400
    default_message = "Specified SecurityToken is expired."


class InvalidActionNotFound(HbrApiError):
    """The action is not one the emulator implements."""

    code = "InvalidAction.NotFound"
    status = 404
    default_message = "Specified api is not found, please check your url and method."


class InvalidVersion(HbrApiError):
    """The API version is not ``2017-09-08``."""

    code = "InvalidVersion"
    status = 400
    default_message = "Specified parameter Version is not valid."


class MissingClientType(HbrApiError):
    """``ClientType`` was not sent."""

    code = "MissingClientType"
    status = 400
    default_message = "ClientType is mandatory for this action."


class MissingParameter(HbrApiError):
    """A parameter required in this context was not sent."""

    code = "MissingParameter"
    status = 400
    default_message = "A required parameter is missing."


class InvalidParameter(HbrApiError):
    """A parameter has a value outside its rules."""

    code = "InvalidParameter"
    status = 400
    default_message = "The specified parameter is not valid."


class NoPermission(HbrApiError):
    """The caller may not do this: an unknown cross account (HBR), or STS/ResourceManager rules."""

    code = "NoPermission"
    status = 403
    default_message = "You are not authorized to operate on the specified resource."


class MissingRegionId(HbrApiError):
    """``RegionId`` was not sent to an action that needs it (ECS ``DescribeInstances``)."""

    code = "MissingRegionId"
    status = 400
    default_message = "RegionId is mandatory for this action."


class InvalidRegionIdNotFound(HbrApiError):
    """The region (named by the ``Host`` or by ``RegionId``) is not one the emulator serves."""

    code = "InvalidRegionId.NotFound"
    status = 404
    default_message = "The specified RegionId does not exist."


class ServiceNotActivated(HbrApiError):
    """The service is not activated in the region (an estate's ``not_activated`` HBR)."""

    code = "ServiceNotActivated"
    status = 403
    default_message = "The service is not activated in this region."


class InvalidInstanceIdsMalformed(HbrApiError):
    """``InstanceIds`` is not a JSON array of strings."""

    code = "InvalidInstanceIds.Malformed"
    status = 400
    default_message = "The specified parameter InstanceIds is not valid."


class InvalidInstanceIdsValueNotSupported(HbrApiError):
    """``InstanceIds`` holds more IDs than the action accepts (100)."""

    code = "InvalidInstanceIds.ValueNotSupported"
    status = 400
    default_message = "The specified parameter InstanceIds holds more than 100 IDs."


class InvalidStatusValueNotSupported(HbrApiError):
    """``Status`` is not an instance status."""

    code = "InvalidStatus.ValueNotSupported"
    status = 400
    default_message = "The specified parameter Status is not valid."


class InvalidTagMismatch(HbrApiError):
    """A ``Tag.N.Value`` came without its ``Tag.N.Key``."""

    code = "InvalidTag.Mismatch"
    status = 400
    default_message = "The specified Tag.N.Key and Tag.N.Value do not match."


class Throttling(HbrApiError):
    """The access key sent more calls per second than the configured QPS limit."""

    code = "Throttling.User"
    status = 400
    default_message = "Request was denied due to user flow control."


class MissingRoleArn(HbrApiError):
    """``AssumeRole`` was sent without ``RoleArn``."""

    code = "MissingRoleArn"
    status = 400
    default_message = "RoleArn is mandatory for this action."


class MissingRoleSessionName(HbrApiError):
    """``AssumeRole`` was sent without ``RoleSessionName``."""

    code = "MissingRoleSessionName"
    status = 400
    default_message = "RoleSessionName is mandatory for this action."


class InvalidParameterRoleArn(HbrApiError):
    """``RoleArn`` is not ``acs:ram::<account-id>:role/<role-name>``."""

    code = "InvalidParameter.RoleArn"
    status = 400
    default_message = "The parameter RoleArn is wrongly formed."


class InvalidParameterRoleSessionName(HbrApiError):
    """``RoleSessionName`` is not 2-64 letters, digits, ``.``, ``@``, ``-`` or ``_``."""

    code = "InvalidParameter.RoleSessionName"
    status = 400
    default_message = "The parameter RoleSessionName is wrongly formed."


class InvalidParameterDurationSeconds(HbrApiError):
    """``DurationSeconds`` is not an integer from 900 to 3600."""

    code = "InvalidParameter.DurationSeconds"
    status = 400
    default_message = "The Min/Max value of DurationSeconds is 15min/1hr."


class InvalidParameterPolicyGrammar(HbrApiError):
    """``Policy`` is not a JSON policy document of 1-2048 characters."""

    code = "InvalidParameter.PolicyGrammar"
    status = 400
    default_message = "The parameter Policy has not passed grammar check."


class EntityNotExistRole(HbrApiError):
    """The role ``RoleArn`` names does not exist (no such account, or it lacks the role)."""

    code = "EntityNotExist.Role"
    status = 404
    default_message = "The role not exists."


class InternalError(HbrApiError):
    """An injected server error."""

    code = "InternalError"
    status = 500


class ServiceUnavailable(HbrApiError):
    """An injected unavailability."""

    code = "ServiceUnavailable"
    status = 503
    default_message = "The request has failed due to a temporary failure of the server."


class InjectedError(HbrApiError):
    """An error with an arbitrary code and status, queued by ``Faults.fail_next``."""

    def __init__(self, code: str, status: int, message: str | None = None) -> None:
        super().__init__(message or f"Injected error {code}.")
        self.code = code  # type: ignore[misc]  # per-instance code on purpose
        self.status = status  # type: ignore[misc]  # per-instance status on purpose


def render_error(
    error: HbrApiError, request_id: str, *, host_id: str = HOST_ID, product: str = "hbr"
) -> bytes:
    """Render ``error`` as the service's JSON error envelope.

    ``host_id`` is the service host that answers (``HostId``); ``product`` names the
    product in the ``Recommend`` link (``hbr``, ``Ecs``).
    """
    body = {
        "RequestId": request_id,
        "HostId": host_id,
        "Code": error.code,
        "Message": error.message,
        "Recommend": (
            f"https://api.aliyun.com/troubleshoot?q={error.code}"
            f"&product={product}&requestId={request_id}"
        ),
    }
    return json.dumps(body, separators=(",", ":")).encode()
