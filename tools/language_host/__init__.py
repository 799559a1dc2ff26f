"""``pulumi-language-python`` for this offline build: the official Python language host's behaviour.

The Pulumi CLI runs a Python program through a language host, a gRPC server that the engine
starts for each phase of a command. The official host (``sdk/python/cmd/pulumi-language-python``
in pulumi/pulumi) cannot be built here, so ``make setup`` installs this one into ``.venv/bin``
beside ``pulumi`` and ``pulumi-language-python-exec``, unless an installed Pulumi CLI brings its
own, which always wins.

Modules, one concern each:

- ``protocol``: loads the SDK's generated gRPC stubs without starting the whole SDK;
- ``options``: the project's runtime options, its interpreter and its activated environment;
- ``packages``: which installed packages need which resource plugins;
- ``processes``: child processes whose output is streamed back over gRPC;
- ``install``: ``pulumi install``'s virtual environment and ``pip install -r requirements.txt``;
- ``server``: the ``LanguageRuntime`` RPCs;
- ``cli``: the command line the engine starts, the port it prints, and when it exits.
"""
