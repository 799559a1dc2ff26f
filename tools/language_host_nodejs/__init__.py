"""``pulumi-language-nodejs`` for this offline build: the official Node.js host's behaviour.

The Pulumi CLI runs a TypeScript or JavaScript program through a language host, a gRPC server
that the engine starts for each phase of a command. The official host
(``sdk/nodejs/cmd/pulumi-language-nodejs`` in pulumi/pulumi) cannot be built here (the Go
module proxy does not serve its module), so ``make setup`` installs this one into
``.venv/bin`` beside ``pulumi``, unless an installed Pulumi CLI brings its own, which always
wins. Like the official host, it runs the program with the ``cmd/run`` script of the
``@pulumi/pulumi`` package the program installed (``node [nodeargs] .../cmd/run FLAGS
PROGRAM``), which loads TypeScript through ts-node.

Modules, one concern each (the command line, the printed port and the shutdown are
``language_host.cli.serve``, shared with the Python host):

- ``options``: the project's Node.js runtime options and the package manager they select;
- ``packages``: which installed npm packages need which resource plugins, and the lock file's
  dependency list;
- ``run``: the ``cmd/run`` command line and environment of a program;
- ``server``: the ``LanguageRuntime`` RPCs;
- ``cli``: the host's entry point.
"""
