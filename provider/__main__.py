"""Run the ``hbr`` provider plugin: what a Python language host runs for ``PulumiPlugin.yaml``.

The host starts ``<venv>/bin/python -u <this directory> <engine address>``; the plugin prints
its port and serves the engine, exactly as the ``pulumi-resource-hbr`` command does.
"""

from hbr_clients_provider.adapters.plugin.server import main

if __name__ == "__main__":
    main()
