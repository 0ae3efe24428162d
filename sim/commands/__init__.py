"""One module per ``sim`` sub-command; each exposes ``register(subparsers)``.

A command's ``run(args) -> int`` returns the exit code, an ``ExitCode``
(``sim.exit_codes``); raising an InputError (ScenarioError, ScheduleFileError) is
the way to report bad input (``sim.cli`` prints its problems and exits
INVALID_INPUT, or USAGE for a missing or unreadable file: InputFileError).
"""
