"""Errors that reach a person: one clear line, no traceback."""


class ConfigError(Exception):
    """The platform cannot start with this configuration (unreachable server, bad home folder...)."""
