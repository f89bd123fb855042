"""User-facing errors: one line a user can act on, exit code 2 on the command line."""


class LookbookError(Exception):
    """A problem with the user's input (paths, configs, datasets); shown as one line, never a traceback."""

    exit_code = 2
