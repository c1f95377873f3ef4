"""The Wyoming side: one handler per connection, events read defensively and
their data checked, zeroconf, and the health check that asks a server `describe`.

May import `core` and `speech`.
"""
