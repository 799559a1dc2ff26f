"""``pulumi-language-go`` for this offline build: the official Go host's behaviour.

The Pulumi CLI runs a Go program through a language host, a gRPC server that the engine starts
for each phase of a command. The official host (``sdk/go/pulumi-language-go`` in pulumi/pulumi)
cannot be built here (the Go module proxy does not serve its module), so ``make setup``
installs this one into ``.venv/bin`` beside ``pulumi``, unless an installed Pulumi CLI brings
its own, which always wins. Like the official host, it compiles the program with ``go build``
(or runs the ``binary`` runtime option) and runs the binary with the ``PULUMI_*`` variables the
Go SDK reads (``sdk/go/pulumi/run.go``).

Modules, one concern each (the command line, the printed port and the shutdown are
``language_host.cli.serve``, shared with the Python host):

- ``toolchain``: finding ``go`` and running its queries;
- ``modules``: the program's ``go.mod``, its modules and the resource plugins they name;
- ``program``: the runtime options, building the program and its environment;
- ``server``: the ``LanguageRuntime`` RPCs;
- ``cli``: the host's entry point.
"""
