"""One module per ``sim`` sub-command; each exposes ``register(subparsers)``.

A command's ``run(args) -> int`` returns the exit code, an ``ExitCode``
(``sim.exit_codes``); raising an InputError (ScenarioError, ScheduleFileError) is
the way to report bad input (``sim.cli`` prints its problems and exits
INVALID_INPUT, or USAGE for a missing or unreadable file: InputFileError).
"""

# What ``sim --help`` lists for each sub-command, in its order. Kept here, apart from
# the command modules, so that the list costs no import of the planner or simulator.
SUMMARIES = {
    "run": "the main job: plan, replay, export everything, write index.html",
    "validate": "check a scenario file and report every problem with its line",
    "schema": "print the JSON Schema of the scenario format",
    "solve": "plan the meetings with CP-SAT and write schedule.json",
    "check": "check a schedule against every planning rule and recompute its objectives",
    "simulate": "replay the summit many times with disruptions; compare reaction policies",
    "export": "turn a schedule into Gantt charts, calendars, briefings and tables",
    "generate": "write a synthetic scenario of a given size (the same seed gives the same file)",
    "import-b2b": "turn a B2B meeting-scheduling instance (.dzn) into a scenario",
}
