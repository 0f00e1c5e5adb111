"""Local emulators of the calendar providers' published APIs, served over real HTTP.

An independent program that ships with workestra: it imports nothing from workestra.
"""

from .server import SandboxServer, create_sandbox_app

__all__ = ["SandboxServer", "create_sandbox_app"]
