"""How the docs test reads Markdown shell blocks and compares their quoted output."""

from __future__ import annotations

from pathlib import Path

from tests.docs.blocks import matches, normalise, parse_blocks

DOCUMENT = """\
# Title

<!-- docs-test: run -->
```console
$ echo one \\
    two
one two
$ true
```

```python
print("not a shell block")
```

<!-- docs-test: real-cloud -->
```bash
pulumi config set alicloud:region cn-hangzhou
```

```bash
unmarked
```

<!-- docs-test: run -->
```bash
echo hi
```

```output
hi
```
"""


def test_parse_blocks_reads_markers_commands_and_outputs(tmp_path: Path) -> None:
    """Console commands get their quoted output; a bash block gets the output block after it."""
    path = tmp_path / "README.md"
    path.write_text(DOCUMENT)
    blocks = parse_blocks(path)
    assert [(b.line, b.language, b.marker) for b in blocks] == [
        (4, "console", "run"),
        (16, "bash", "real-cloud"),
        (20, "bash", None),
        (25, "bash", "run"),
    ]
    console = blocks[0].commands
    assert [(c.text, c.expected) for c in console] == [
        ("echo one \\\n    two", "one two"),
        ("true", None),
    ]
    assert blocks[3].commands[0].expected == "hi"
    assert blocks[1].commands[0].expected is None


def test_normalise_replaces_ports_times_and_durations() -> None:
    """Ports, timestamps and durations are replaced; blank lines and trailing spaces go."""
    text = "HBR_ENDPOINT=127.0.0.1:41873  \n\n2026-11-30 15:00:24,239 took 1.25s\n"
    assert normalise(text) == ["HBR_ENDPOINT=127.0.0.1:PORT", "TIME took Ns"]


def test_matches_with_ellipses() -> None:
    """``...`` alone stands for any lines, inside a line for any text; the rest must match."""
    actual = "head\nmiddle 1\nmiddle 2\n3 client(s)\n"
    assert matches("head\n...\n3 client(s)", actual)
    assert matches("head\nmiddle ...\n...", actual)
    assert not matches("head\n3 client(s)", actual)
    assert not matches("head\n...\n4 client(s)", actual)
