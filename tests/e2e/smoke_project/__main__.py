"""One dynamic resource and one output."""

import pulumi
from smoke_provider import Greeter


class Greeting(pulumi.dynamic.Resource, module="smoke", name="Greeting"):
    """A greeting computed by the dynamic provider."""

    greeting: pulumi.Output[str]

    def __init__(self, name: str, who: str) -> None:
        super().__init__(Greeter(), name, {"name": who, "greeting": None})


pulumi.export("greeting", Greeting("hello", "pulumi").greeting)
