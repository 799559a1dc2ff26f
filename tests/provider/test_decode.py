"""``decode_json``: the one decoder of network bodies, and each of its bounds."""

from __future__ import annotations

import json

import pytest

from hbr_clients_provider.api.decode import MAX_DEPTH, decode_json, nesting_depth
from hbr_clients_provider.api.exchange import MAX_BODY_BYTES
from hbr_clients_provider.errors import InvalidJsonError, MalformedResponseError


def _decode(body: bytes) -> object:
    return decode_json(body, endpoint="hbr.example:80")


class TestAccepted:
    """What the real API sends decodes as ``json.loads`` would."""

    def test_an_answer_decodes_like_json_loads(self) -> None:
        """Strings with brackets, escapes and non-ASCII text are values, not structure."""
        tags = [{"Key": "名", "Value": "é"}]
        data = {"Clients": [{"Hostname": '[[{web\\\\"1}]]', "Tags": tags}]}
        body = json.dumps(data, ensure_ascii=False).encode()
        assert _decode(body) == data

    def test_a_byte_order_mark_is_ignored(self) -> None:
        """A leading BOM, which some gateways add, is not part of the JSON."""
        assert _decode(b'\xef\xbb\xbf{"A": 1}') == {"A": 1}

    def test_a_paired_surrogate_escape_is_one_character(self) -> None:
        """``\\ud83d\\ude00`` is one emoji, which any encoder takes."""
        assert _decode(b'{"A": "\\ud83d\\ude00"}') == {"A": "\U0001f600"}

    def test_depth_at_the_bound_is_accepted(self) -> None:
        """Exactly :data:`MAX_DEPTH` levels decode."""
        body = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
        assert nesting_depth(body) == MAX_DEPTH
        assert isinstance(_decode(body), list)


class TestRefused:
    """Each bound refuses with a named problem, never a parser's own exception."""

    @pytest.mark.parametrize(
        ("body", "problem"),
        [
            (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "nesting too deep"),
            (b"[" * 200_000, "nested 200,000 levels deep"),
            (b'{"A": NaN}', "NaN is not a number JSON allows"),
            (b'{"A": -Infinity}', "-Infinity is not a number JSON allows"),
            (b'{"A": 1e999}', "the number 1e999 is out of range"),
            (b'{"A": 123456789012345678901}', "more than 20 digits"),
            (b'{"A": 1, "A": 2}', "an object has the key 'A' twice"),
            # Deep inside, with colons in strings that must not be counted as keys.
            (
                b'{"A": "x:\\"y:", "B": [{"C": {"k:": 1, "D": "\\\\", "D": 2}}]}',
                "an object has the key 'D' twice",
            ),
            (b'{"\\u0041": 1, "A": 2}', "an object has the key 'A' twice"),
            (b'{"A": "\\ud800"}', "lone UTF-16 surrogate"),
            (b'{"A": "\xff"}', "the body is not UTF-8 (byte 7"),
        ],
    )
    def test_outside_the_bounds_is_malformed(self, body: bytes, problem: str) -> None:
        """The error is a MalformedResponseError whose problem names the bound."""
        with pytest.raises(MalformedResponseError) as caught:
            _decode(body)
        assert problem in caught.value.problem
        assert "hbr.example:80" in str(caught.value)

    def test_keys_that_look_alike_in_strings_are_not_repeated(self) -> None:
        """Colons and quotes inside strings are not keys: a clean body decodes as it is."""
        body = b'{"A": "a:b", "B": {"C:": "\\":", "D": [":", {"E": ""}]}, "a": 1}'
        assert _decode(body) == {"A": "a:b", "B": {"C:": '":', "D": [":", {"E": ""}]}, "a": 1}

    def test_a_body_past_the_size_bound_is_malformed_before_parsing(self) -> None:
        """More than :data:`MAX_BODY_BYTES` is refused by its size."""
        with pytest.raises(MalformedResponseError, match="more than the"):
            _decode(b" " * (MAX_BODY_BYTES + 1))

    @pytest.mark.parametrize("body", [b"", b"<html>", b'{"A": 1', b"{'A': 1}"])
    def test_not_json_is_invalid_json(self, body: bytes) -> None:
        """A body that is not JSON says where parsing failed."""
        with pytest.raises(InvalidJsonError) as caught:
            _decode(body)
        assert "line 1 column" in caught.value.reason

    def test_brackets_inside_strings_do_not_count(self) -> None:
        """200,000 ``[`` inside a string are text: the body is 1 deep."""
        body = json.dumps({"A": "[" * 200_000}).encode()
        assert nesting_depth(body) == 1
        assert _decode(body) == {"A": "[" * 200_000}
