"""A dynamic provider in an importable module, so it is pickled by reference."""

from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, ResourceProvider


class Greeter(ResourceProvider):
    """Creates a greeting; reads it back unchanged."""

    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Return the greeting for ``props["name"]``."""
        return CreateResult("greeting-1", {**props, "greeting": f"hello, {props['name']}"})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Return the stored greeting."""
        return ReadResult(id_, props)
