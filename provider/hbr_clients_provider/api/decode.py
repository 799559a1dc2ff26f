"""The one place that turns the bytes of an HTTP answer into JSON values: :func:`decode_json`.

Every body that came from the network is decoded here, and only here (the transport for
answers, :mod:`~hbr_clients_provider.api.translate` for error bodies), under bounds the
real API stays far inside of:

* **size**: at most :data:`~hbr_clients_provider.api.exchange.MAX_BODY_BYTES`;
* **encoding**: strict UTF-8 (RFC 8259 section 8.1; a leading byte order mark is ignored),
  and no lone UTF-16 surrogate in a ``\\uXXXX`` escape, which would decode into a ``str``
  that cannot be written to a terminal, a file or a gRPC message;
* **nesting**: at most :data:`MAX_DEPTH` arrays and objects, checked before the parser
  runs. The parser itself recurses, so 200,000 ``[`` would otherwise end in a
  ``RecursionError`` (or, under a raised recursion limit, a crashed process);
* **numbers**: integers of at most :data:`MAX_NUMBER_DIGITS` digits (the API's numbers are
  64-bit; Python refuses to convert more than 4,300 digits anyway) and finite floats
  (``NaN``, ``Infinity`` and ``1e999`` are refused);
* **keys**: no object with the same key twice, which parsers resolve differently (Python
  keeps the last, others the first): what a proxy checked and what we read could differ.

A body that is not JSON at all is an :class:`~hbr_clients_provider.errors.InvalidJsonError`
(``the response is not JSON``); JSON outside these bounds is a
:class:`~hbr_clients_provider.errors.MalformedResponseError` naming the bound. Nothing else
leaves this module: whatever the parser raises (``RecursionError``, ``MemoryError``,
``ValueError``, ``TypeError``) is one of the two.

Cost, measured on a 99-client emulator page (about 100 KB, shared 2-core machine): the
checks add about a tenth to ``json.loads`` alone, because each runs in C (``str.split``,
``re``, ``itertools.accumulate``, a re-serialisation to count keys) rather than in a Python
loop over characters or a Python hook per object.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, Final, NoReturn

from hbr_clients_provider.api.exchange import MAX_BODY_BYTES
from hbr_clients_provider.errors import InvalidJsonError, MalformedResponseError

__all__ = ["MAX_DEPTH", "MAX_NUMBER_DIGITS", "decode_json", "nesting_depth"]

#: Deepest nesting of arrays and objects accepted. A ``DescribeBackupClients`` answer is 4
#: deep (envelope, ``Clients``, a client, its ``Tags`` or ``Settings``, a tag), an ECS
#: ``DescribeInstances`` answer 6 (``Instances.Instance[].Tags.Tag[]``).
MAX_DEPTH: Final = 32

#: Most digits in one integer: a signed 64-bit integer has at most 19.
MAX_NUMBER_DIGITS: Final = 20

_BOM: Final = "\ufeff"
# ``bytes.translate`` tables: what is not a bracket is deleted; digits become ``0``, the rest
# a space, so a run of digits is a run of ``0``.
_NOT_BRACKETS: Final = bytes(c for c in range(256) if c not in b"[]{}")
_DIGITS_AS_ZERO: Final = bytes(48 if 48 <= c <= 57 else 32 for c in range(256))
_LONG_NUMBER: Final = b"0" * (MAX_NUMBER_DIGITS + 1)
_DEPTH_STEP: Final = tuple(1 if c in b"[{" else -1 if c in b"]}" else 0 for c in range(256))
# A ``\uD800``-``\uDFFF`` escape, paired or not; pairs are told apart by encoding (below).
_SURROGATE_ESCAPE: Final = re.compile(rb"\\u[dD][89a-fA-F]")


class _RefusedError(ValueError):
    """A value the parser met that is JSON but outside the bounds (internal)."""


def _refuse_constant(name: str) -> NoReturn:
    msg = f"{name} is not a number JSON allows (RFC 8259 section 6)"
    raise _RefusedError(msg)


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        msg = f"the number {text[:40]} is out of range"
        raise _RefusedError(msg)
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                msg = f"an object has the key {key[:40]!r} twice"
                raise _RefusedError(msg)
            seen.add(key)
    return out


_DECODER: Final = json.JSONDecoder(
    parse_float=_finite_float,
    parse_constant=_refuse_constant,
    object_pairs_hook=_unique_keys,
    strict=True,
)
# The same without the Python hook on every object, which cost about a tenth of an estate
# audit's CPU (4 ms per 100 KB page): repeated keys are found by counting (``_decode``).
_PLAIN_DECODER: Final = json.JSONDecoder(
    parse_float=_finite_float, parse_constant=_refuse_constant, strict=True
)


def _outside_strings(body: bytes) -> bytes:
    """``body`` with every JSON string removed: only structure, numbers and literals remain.

    Linear however the body is built: escaped backslashes are dropped, then escaped quotes,
    and what is left between the remaining quotes is string content. No byte of a UTF-8
    multi-byte sequence is ASCII, so this works on the undecoded bytes. For a body that is
    not JSON the result is meaningless but still bounded; the parser then says what is wrong.
    """
    if b"\\" in body:
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    if b'"' not in body:
        return body
    return b"".join(body.split(b'"')[::2])


def _depth(outside: bytes) -> int:
    brackets = outside.translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def nesting_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in JSON ``body`` (strings do not count)."""
    return _depth(_outside_strings(body))


def _check_bounds(outside: bytes) -> str | None:
    """What breaks a bound that must hold before parsing (``None``: nothing).

    ``outside``: the body outside its strings (:func:`_outside_strings`).
    """
    depth = _depth(outside)
    if depth > MAX_DEPTH:
        return (
            f"nesting too deep: arrays and objects nested {depth:,} levels deep, more than "
            f"the {MAX_DEPTH} allowed (the APIs' answers are at most 6 deep)"
        )
    if _LONG_NUMBER in outside.translate(_DIGITS_AS_ZERO):
        return f"a number has more than {MAX_NUMBER_DIGITS} digits (the API's are 64-bit)"
    return None


def _key_count(value: Any) -> int:
    """How many keys the objects in ``value`` hold, all together (counted in C)."""
    dumped = json.dumps(value, separators=(",", ":"), check_circular=False)
    return _outside_strings(dumped.encode("ascii")).count(b":")


def decode_json(
    body: bytes,
    *,
    endpoint: str,
    status: int | None = 200,
    content_type: str | None = None,
) -> Any:
    """Decode ``body`` (an HTTP answer's bytes) into JSON values, within the bounds above.

    :param endpoint: where the body came from, for messages.
    :param status: the HTTP status of the answer, for messages.
    :param content_type: the answer's ``Content-Type``, for messages.
    :raises InvalidJsonError: the body is not JSON.
    :raises MalformedResponseError: JSON outside the bounds (size, encoding, nesting,
        numbers, repeated keys); ``problem`` names the bound.
    """

    def malformed(problem: str) -> MalformedResponseError:
        return MalformedResponseError(problem, endpoint=endpoint)

    def not_json(reason: str) -> InvalidJsonError:
        return InvalidJsonError(
            endpoint=endpoint,
            status=status or 0,
            content_type=content_type,
            body_head=body[:512],
            reason=reason,
        )

    if len(body) > MAX_BODY_BYTES:
        msg = f"the body is {len(body):,} bytes, more than the {MAX_BODY_BYTES:,} allowed"
        raise malformed(msg)
    try:
        return _decode(body)
    except _RefusedError as exc:
        raise malformed(str(exc)) from None
    except UnicodeDecodeError as exc:
        shown = body[exc.start : exc.start + 1]
        raise malformed(f"the body is not UTF-8 (byte {exc.start:,} is {shown!r})") from None
    except UnicodeEncodeError:
        msg = "a string holds a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair)"
        raise malformed(msg) from None
    except json.JSONDecodeError as exc:
        raise not_json(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        msg = f"nesting too deep for the parser (more than {MAX_DEPTH} levels are refused)"
        raise malformed(msg) from None
    except MemoryError:
        raise malformed("the body is too large to decode in the memory available") from None
    except (ValueError, TypeError) as exc:
        reason = f"{type(exc).__name__}: {exc}"[:160]
        raise malformed(f"the body could not be decoded ({reason})") from None


def _decode(body: bytes) -> Any:
    """Check the bounds and parse; raises :class:`_RefusedError` or the parser's own errors."""
    outside = _outside_strings(body)
    problem = _check_bounds(outside)
    if problem is not None:
        raise _RefusedError(problem)
    text = body.decode("utf-8")
    text = text[1:] if text.startswith(_BOM) else text
    value = _PLAIN_DECODER.decode(text)
    # Outside strings, a colon of valid JSON separates a key from its value: the body holds
    # that many keys. Fewer in what was decoded means a key was repeated and merged; the
    # checking decoder then names it.
    if _key_count(value) != outside.count(b":"):
        value = _DECODER.decode(text)
    if _SURROGATE_ESCAPE.search(body):
        # Paired escapes decode into one character; a lone one stays a surrogate, which no
        # UTF-8 encoder takes.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    return value
