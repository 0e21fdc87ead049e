"""Errors that reach a person: one clear line, no traceback."""


class ConfigError(Exception):
    """The platform cannot start with this configuration (unreachable server, bad home folder...)."""


class DomainError(Exception):
    """A request the platform refuses, with a stable ``code`` for programs and a one-line ``message``.

    ``status`` is the HTTP status the API answers with (4xx); the CLI prints the message.
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
