"""Fixtures shared by the provider tests: the emulator fleet and the dynamic-provider server."""

from tests.provider.test_dynamic_protocol import fleet, provider

__all__ = ["fleet", "provider"]
