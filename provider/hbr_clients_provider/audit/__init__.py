"""The fleet audit: :mod:`.rules` judges a listing, :mod:`.render` prints the report.

It reads the API client's models and never the Pulumi adapters or the command line.
"""
