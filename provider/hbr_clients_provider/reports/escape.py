"""Text from the cloud made safe for the XML and HTML reports, on top of :mod:`..display`.

Names, tags, details and error messages came from the network. Both functions first write
every control character as a visible escape (:func:`~hbr_clients_provider.display.terminal_text`:
C0, DEL, C1, the bidirectional overrides and the line separators), because a person reads
these reports too, in a CI page or a browser, and ``\\x1b`` or U+202E must show as what it is.
Then:

* :func:`xml_text` escapes what XML 1.0 cannot hold at all: lone surrogates (a JSON string may
  carry ``\\ud800``) and U+FFFE, U+FFFF (C0 characters but tab and line feed are already
  escaped). The markup characters ``& < > "`` are escaped by the serializer
  (:mod:`xml.etree.ElementTree`, which writes attributes in double quotes), never by hand;
* :func:`encodable` escapes only the lone surrogates, which UTF-8 cannot encode: every
  rendered report passes it (:func:`~.formats.render`), so none fails to print or save;
* :func:`html_text` escapes ``& < > " '`` (:func:`html.escape`), so a value is inert in an
  element's text and in a quoted attribute alike: ``</script><img onerror=x>`` shows as
  those characters.
"""

from __future__ import annotations

import html
import re
from typing import Final

from hbr_clients_provider.display import terminal_text

__all__ = ["encodable", "html_text", "xml_text"]

# What XML 1.0 (Char production) forbids that terminal_text leaves in place.
_XML_ILLEGAL: Final = re.compile("[\ud800-\udfff\ufffe\uffff]")
# What UTF-8 cannot encode: a lone surrogate (JSON's "\ud800" decodes to one).
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def xml_text(text: str, *, keep_newlines: bool = False) -> str:
    r"""``text`` with every character XML 1.0 forbids, and every control character, escaped.

    ``"a\x1bb\ud800"`` gives ``"a\\x1bb\\ud800"``; with ``keep_newlines`` a ``"\n"`` stays.
    """
    shown = terminal_text(text, keep_newlines=keep_newlines)
    if _XML_ILLEGAL.search(shown) is None:
        return shown
    return _XML_ILLEGAL.sub(_escape, shown)


def encodable(text: str) -> str:
    """``text`` with every lone surrogate written as ``\\udXXX``, so UTF-8 can encode it."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(_escape, text)


def html_text(text: str) -> str:
    """``text`` as HTML text or a quoted attribute value: escaped, inert, on one line."""
    return html.escape(xml_text(" ".join(text.split())), quote=True)
