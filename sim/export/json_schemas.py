"""JSON Schemas (draft 2020-12) of the two main outputs, ``schedule.json`` and
``simulation.json``: the documentation of the formats, field by field.

Written by hand from what ``sim.schedule.schedule_to_json`` and
``sim.export.simulation.write_results`` produce, and strict: every object whose keys
are fixed allows no other key. The copies committed as ``docs/schedule.schema.json``
and ``docs/simulation.schema.json`` are ``json.dumps(schema, indent=2,
sort_keys=True) + "\\n"`` of these functions; ``tests/test_output_schemas.py`` keeps
them equal and validates real outputs against them.
"""

from __future__ import annotations

import json
from typing import Any

DRAFT = "https://json-schema.org/draft/2020-12/schema"

Schema = dict[str, Any]


def schema_text(schema: Schema) -> str:
    """The committed form of a schema: 2-space indent, sorted keys, a final newline."""
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


# --- building blocks -------------------------------------------------------------------


def _field(kind: str | list[str], title: str, description: str, **more: Any) -> Schema:
    return {"type": kind, "title": title, "description": description, **more}


def _object(
    title: str, description: str, properties: dict[str, Schema], optional: tuple[str, ...] = ()
) -> Schema:
    """A closed object: every key of ``properties`` is required except ``optional``."""
    return {
        "type": "object",
        "title": title,
        "description": description,
        "properties": properties,
        "required": sorted(k for k in properties if k not in optional),
        "additionalProperties": False,
    }


def _enum(title: str, description: str, values: dict[str, str]) -> Schema:
    """A string from a fixed list; ``values`` maps each value to what it means."""
    meanings = "; ".join(f"'{value}': {meaning}" for value, meaning in values.items())
    return {
        "type": "string",
        "title": title,
        "description": f"{description} ({meanings}).",
        "enum": list(values),
    }


def _minute(title: str, description: str) -> Schema:
    return _field(
        "integer",
        title,
        f"{description}, in minutes from the scenario's epoch (local midnight starting "
        "the first summit day).",
    )


def _local_time(title: str, description: str) -> Schema:
    return _field(
        "string",
        title,
        f"{description}, as an ISO 8601 local date and time with its UTC offset "
        "(e.g. 2024-10-22T12:00:00+03:00).",
        format="date-time",
    )


def _probability(title: str, description: str) -> Schema:
    return _field("number", title, description, minimum=0, maximum=1)


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


# --- schedule.json -------------------------------------------------------------------

SOLVE_STATUSES = {
    "optimal": "every objective tier was proven optimal",
    "feasible": "a valid schedule, not proven optimal within the time limit",
    "infeasible": "no schedule can hold every required meeting; the meeting list holds "
    "every meeting as not scheduled and the notes name the conflict",
    "unknown": "no schedule was found within the time limit",
}

OBJECTIVE_TIERS = {
    "changes": "weighted changes against the published schedule (when re-planning)",
    "displacement": "minutes published meetings move (when re-planning)",
    "unheld_weight": "total weight of optional meetings not held",
    "shortening": "minutes cut below the meetings' nominal durations",
    "safety": "minutes required and headline meetings fall short of their overrun "
    "reserve before what their parties cannot move",
    "preferences": "protocol preferences given up",
    "travel": "minutes the principals spend travelling",
    "min_slack": "minus the smallest slack between a principal's engagements",
    "weighted_slack": "minus the weighted slack after each meeting",
    "compact_days": "the parties' idle gaps between engagements (when the scenario asks)",
}

CHANGE_KINDS = {
    "moved": "held at another day, time or venue than before (before and after given)",
    "dropped": "no longer held (before given, after null)",
    "added": "newly held (before null, after given)",
}


def _assignment_properties() -> dict[str, Schema]:
    return {
        "meeting": _field("string", "Meeting", "The meeting's id in the scenario."),
        "day": _field(
            "integer", "Day", "The summit day, counted from 0 (the first day).", minimum=0
        ),
        "start_minute": _minute("Start", "When the meeting starts"),
        "end_minute": _minute("End", "When the meeting ends"),
        "venue": _field("string", "Venue", "The id of the venue it is held in."),
        "room": _field("integer", "Room", "The room at the venue, numbered from 1.", minimum=1),
        "start": _local_time(
            "Start (local time)",
            "When the meeting starts; only when the file was written with its scenario",
        ),
        "end": _local_time(
            "End (local time)",
            "When the meeting ends; only when the file was written with its scenario",
        ),
    }


def _assignment() -> Schema:
    return _object(
        "Placement",
        "Where and when a meeting is held.",
        _assignment_properties(),
        optional=("start", "end"),
    )


def _scheduled_meeting() -> Schema:
    properties = _assignment_properties()
    properties["scheduled"] = _field(
        "boolean", "Scheduled", "Always true here: the meeting is in the plan.", const=True
    )
    return _object(
        "Scheduled meeting",
        "A meeting the plan holds: day, times, venue and room.",
        properties,
        optional=("start", "end"),
    )


def _unscheduled_meeting() -> Schema:
    return _object(
        "Meeting not scheduled",
        "A requested meeting the plan does not hold, with the reason.",
        {
            "meeting": _field("string", "Meeting", "The meeting's id in the scenario."),
            "scheduled": _field(
                "boolean",
                "Scheduled",
                "Always false here: the meeting is not in the plan.",
                const=False,
            ),
            "reason": _field(
                "string", "Reason", "Why it is not scheduled, in plain words (may be empty)."
            ),
        },
    )


def _change() -> Schema:
    placement_or_null = {
        "anyOf": [_ref("assignment"), {"type": "null"}],
    }
    change = _object(
        "Change",
        "How a meeting differs from the previous (published) schedule; unchanged "
        "meetings are not listed.",
        {
            "meeting": _field("string", "Meeting", "The meeting's id in the scenario."),
            "kind": _enum("Kind", "What changed", CHANGE_KINDS),
            "before": {
                **placement_or_null,
                "title": "Before",
                "description": "The placement in the previous schedule; null when added.",
            },
            "after": {
                **placement_or_null,
                "title": "After",
                "description": "The placement in this schedule; null when dropped.",
            },
        },
    )
    change["allOf"] = [
        {
            "if": {"properties": {"kind": {"const": "moved"}}},
            "then": {"properties": {"before": {"type": "object"}, "after": {"type": "object"}}},
        },
        {
            "if": {"properties": {"kind": {"const": "dropped"}}},
            "then": {"properties": {"before": {"type": "object"}, "after": {"type": "null"}}},
        },
        {
            "if": {"properties": {"kind": {"const": "added"}}},
            "then": {"properties": {"before": {"type": "null"}, "after": {"type": "object"}}},
        },
    ]
    return change


def _itinerary_engagement() -> Schema:
    return _object(
        "Engagement",
        "A meeting or programme event on a party's day.",
        {
            "kind": _enum(
                "Kind",
                "What it is",
                {"meeting": "a bilateral of the plan", "event": "a programme event"},
            ),
            "id": _field("string", "Id", "The meeting's or the programme event's id."),
            "venue": _field("string", "Venue", "The id of the venue."),
            "day": _field("integer", "Day", "The summit day, counted from 0.", minimum=0),
            "start_minute": _minute("Start", "When it starts"),
            "end_minute": _minute("End", "When it ends"),
            "start": _local_time("Start (local time)", "When it starts"),
            "end": _local_time("End (local time)", "When it ends"),
        },
    )


def _ride_properties() -> dict[str, Schema]:
    return {
        "kind": _field("string", "Kind", "Always 'travel': a ride between venues.", const="travel"),
        "from": _field("string", "From", "The venue the ride leaves from."),
        "to": _field("string", "To", "The venue the ride goes to."),
        "minutes": _field(
            "integer", "Minutes", "The nominal length of the ride, in minutes.", minimum=0
        ),
        "day": _field("integer", "Day", "The summit day, counted from 0.", minimum=0),
    }


def _itinerary_ride_to() -> Schema:
    properties = _ride_properties()
    properties["arrive_by_minute"] = _minute(
        "Arrive by", "When the party must be at the destination (the next engagement's start)"
    )
    return _object(
        "Ride to an engagement",
        "A ride to the venue of the next engagement (from the party's base or the previous venue).",
        properties,
    )


def _itinerary_ride_home() -> Schema:
    properties = _ride_properties()
    properties["depart_minute"] = _minute(
        "Departs", "When the ride leaves (the end of the day's last engagement)"
    )
    return _object(
        "Ride back to base",
        "The ride back to the party's base after its last engagement of the day.",
        properties,
    )


def schedule_json_schema() -> Schema:
    """The JSON Schema of ``schedule.json`` (written by ``sim solve``)."""
    scenario = _object(
        "Scenario",
        "The scenario the schedule was made for. 'name' and 'timezone' are present when "
        "the file was written with its scenario (as 'sim solve' does).",
        {
            "id": _field("string", "Id", "The scenario's id."),
            "sha256": _field(
                "string",
                "Scenario file hash",
                "The SHA-256 of the scenario file the schedule was made from (lowercase "
                "hex), or empty when not known; 'sim check' and 'sim simulate' compare it.",
                pattern="^([0-9a-f]{64})?$",
            ),
            "name": _field("string", "Name", "The scenario's name."),
            "timezone": _field(
                "string", "Time zone", "The IANA time zone of the summit (e.g. Europe/Moscow)."
            ),
        },
        optional=("name", "timezone"),
    )
    scenario["dependentRequired"] = {"name": ["timezone"], "timezone": ["name"]}
    schema = _object(
        "schedule.json",
        "The plan of a summit's meetings as written by 'sim solve': which meetings are "
        "held, when, where and in which room, which are not and why, how good the plan "
        "is (objective tiers), what changed against a previous schedule, and each "
        "party's itinerary. Deterministic: the same plan always gives the same bytes "
        "(sorted keys, no wall-clock times). Times are integer minutes from the "
        "scenario's epoch, with local ISO times beside them when the file was written "
        "with its scenario.",
        {
            "format": _field(
                "integer", "Format", "The version of this file format; always 1.", const=1
            ),
            "scenario": scenario,
            "status": _enum("Status", "How the search ended", SOLVE_STATUSES),
            "solver": _object(
                "Solver settings",
                "The settings the plan was made with (no timings: they vary from run to run).",
                {
                    "time_limit_seconds": _field(
                        "number",
                        "Time limit",
                        "The search budget in deterministic seconds, shared by the tiers.",
                        minimum=0,
                    ),
                    "seed": _field("integer", "Seed", "The CP-SAT random seed."),
                    "workers": _field(
                        "integer", "Workers", "The number of CP-SAT search workers.", minimum=0
                    ),
                },
            ),
            "objectives": _field(
                "array",
                "Objective tiers",
                "The objective, tier by tier in order of importance; every tier is "
                "minimised after the ones before it. Empty when no schedule was found.",
                items=_object(
                    "Objective tier",
                    "One tier of the lexicographic objective.",
                    {
                        "tier": _field(
                            "integer", "Tier", "Its rank, from 1 (most important).", minimum=1
                        ),
                        "name": _enum("Name", "The tier", OBJECTIVE_TIERS),
                        "value": _field("integer", "Value", "The plan's value (lower is better)."),
                        "bound": _field(
                            "integer",
                            "Bound",
                            "The best value the search proved possible; equal to the value "
                            "when the tier is proven optimal.",
                        ),
                        "description": _field(
                            "string", "Description", "What the tier counts, in plain words."
                        ),
                    },
                ),
            ),
            "meetings": _field(
                "array",
                "Meetings",
                "Every requested meeting once: the scheduled ones first, by start time, "
                "then the ones not scheduled, by id.",
                items={"oneOf": [_ref("scheduled_meeting"), _ref("unscheduled_meeting")]},
            ),
            "changes": _field(
                "array",
                "Changes",
                "The differences from the previous schedule when re-planning ('sim solve "
                "--from'), by meeting id; empty otherwise.",
                items=_ref("change"),
            ),
            "notes": _field(
                "array",
                "Notes",
                "Remarks on the search in plain words (a stopped search, why no schedule exists).",
                items={"type": "string"},
            ),
            "revision": _field(
                "integer",
                "Revision",
                "0 for a first plan; a re-plan from a published plan ('sim solve --from') "
                "is that plan's revision + 1. Calendars exported from the plan carry it "
                "as every event's SEQUENCE, so each publication updates the last. Files "
                "without it are read as revision 0.",
                minimum=0,
                maximum=2**31 - 1,
            ),
            "itineraries": _field(
                "object",
                "Itineraries",
                "Each party's days, keyed by party id: its engagements in time order with "
                "the rides between venues. Present when the file was written with its "
                "scenario.",
                additionalProperties=_field(
                    "array",
                    "Itinerary",
                    "One party's engagements and rides, day by day, in order.",
                    items={
                        "oneOf": [
                            _ref("itinerary_engagement"),
                            _ref("itinerary_ride_to"),
                            _ref("itinerary_ride_home"),
                        ]
                    },
                ),
            ),
        },
        optional=("itineraries", "revision"),
    )
    # The itineraries come with the scenario's name: both or neither.
    schema["if"] = {"properties": {"scenario": {"required": ["name"]}}}
    schema["then"] = {"required": ["itineraries"]}
    schema["else"] = {"not": {"required": ["itineraries"]}}
    return {
        "$schema": DRAFT,
        **schema,
        "$defs": {
            "assignment": _assignment(),
            "scheduled_meeting": _scheduled_meeting(),
            "unscheduled_meeting": _unscheduled_meeting(),
            "change": _change(),
            "itinerary_engagement": _itinerary_engagement(),
            "itinerary_ride_to": _itinerary_ride_to(),
            "itinerary_ride_home": _itinerary_ride_home(),
        },
    }


# --- simulation.json -------------------------------------------------------------------

POLICIES = {
    "as-planned": "keep the plan's order, start each meeting as soon as it can",
    "shorten": "as planned, but cut a meeting (never below its minimum length) so that "
    "no one is late for their next engagement",
    "drop": "as planned, but drop the lowest-weight optional meeting of a day that would overflow",
    "replan": "re-plan the rest of the summit at each disruption",
}

DISRUPTION_MODELS = {
    "auto": "the scenario's uncertainty section, or the calibrated defaults when it has none",
    "scenario": "exactly the scenario's uncertainty section (none: no disruption)",
    "calibrated": "the calibrated defaults",
    "none": "nothing random; scripted what-ifs only",
}

PAIRED_METRICS = {
    "held_weight": "total weight of the meetings held",
    "all_required": "1 when every required meeting was held, else 0",
    "knock_on_delay": "minutes planned meetings started late, summed over a replication",
    "changes": "changes against the plan in a replication",
}


def _interval(title: str, description: str) -> Schema:
    bound = "null when there are fewer than two replications."
    return _object(
        title,
        f"{description} The mean over the replications with its 95 % confidence "
        "interval (Student's t).",
        {
            "mean": _field("number", "Mean", "The mean over the replications."),
            "low": _field(["number", "null"], "Low", f"The lower end of the interval; {bound}"),
            "high": _field(["number", "null"], "High", f"The upper end of the interval; {bound}"),
        },
    )


def _mean(title: str, description: str) -> Schema:
    return _field("number", title, f"{description}, mean per replication.", minimum=0)


def _meeting_stats() -> Schema:
    return _object(
        "Meeting",
        "How one requested meeting fared over the replications of a variant.",
        {
            "meeting": _field("string", "Meeting", "The meeting's id in the scenario."),
            "planned": _field("boolean", "Planned", "Whether the schedule holds it."),
            "p_held": _probability("P(held)", "The share of replications in which it was held."),
            "p_on_time": _probability(
                "P(on time)",
                "The share of replications in which it was held on its planned day and "
                "started within 10 minutes of its planned start.",
            ),
            "delay_p50": _field(
                ["number", "null"],
                "Start delay, median",
                "Minutes it started after its planned start, median over the replications "
                "in which it was held on its planned day; null when never.",
            ),
            "delay_p90": _field(
                ["number", "null"],
                "Start delay, 90th percentile",
                "The same delay at the 90th percentile (one replication in ten is later); "
                "null when never held on its planned day.",
            ),
            "not_held_because": _field(
                "array",
                "Reasons not held",
                "The commonest reasons it was not held (at most three), commonest first.",
                maxItems=3,
                items=_object(
                    "Reason",
                    "One reason and how often it happened.",
                    {
                        "reason": _field(
                            "string",
                            "Reason",
                            "Why it was not held, in plain words (e.g. 'cancelled on the "
                            "day', 'no time left on day 1').",
                        ),
                        "share": _probability(
                            "Share", "The share of all replications that ended this way."
                        ),
                    },
                ),
            ),
        },
    )


def _party_stats() -> Schema:
    return _object(
        "Party",
        "How one party's days ran over the replications of a variant.",
        {
            "party": _field("string", "Party", "The party's id in the scenario."),
            "overrun_p50": _field(
                ["number", "null"],
                "Day overrun, median",
                "Minutes the end of its last planned engagement came after the plan's, on "
                "its worst day of each replication, median over replications; null when it "
                "has nothing planned.",
            ),
            "overrun_p90": _field(
                ["number", "null"],
                "Day overrun, 90th percentile",
                "The same overrun at the 90th percentile (one replication in ten is worse).",
            ),
            "p_missed_event": _field(
                ["number", "null"],
                "Missed a programme event",
                "Share of replications in which it missed at least one programme event it "
                "attends; null when it attends none.",
                minimum=0,
                maximum=1,
            ),
            "event_late_minutes": _field(
                ["number", "null"],
                "Late to programme events",
                "Minutes it reached programme events after they started, mean per "
                "replication; null when it attends none.",
                minimum=0,
            ),
            "latest_end_minute": _field(
                ["integer", "null"],
                "Latest end",
                "The latest end of any of its days over all replications, in minutes from "
                "the scenario's epoch; null when it never had an engagement.",
            ),
            "latest_end": {
                "anyOf": [
                    _local_time("Latest end (local time)", "The same moment"),
                    {"type": "null"},
                ],
                "title": "Latest end (local time)",
                "description": "The latest end as a local ISO 8601 time; null when never.",
            },
        },
    )


def _variant() -> Schema:
    return _object(
        "Variant",
        "One (schedule, reaction policy) pair, replayed on the run's replications.",
        {
            "label": _field(
                "string",
                "Label",
                "The variant's name: the policy, or 'schedule/policy' when several "
                "schedules were compared.",
            ),
            "schedule": _field(
                "string", "Schedule", "The name of the schedule (from its file name)."
            ),
            "policy": _enum("Policy", "How the replay reacts to disruptions", POLICIES),
            "runs": _field("integer", "Replications", "The replications replayed.", minimum=1),
            "p_all_required_held": _probability(
                "P(all required held)",
                "The share of replications in which every required meeting was held.",
            ),
            "held_weight": _interval(
                "Held weight",
                "The total weight of the meetings held (meetings asked for on the day included).",
            ),
            "lost_planned_weight": _mean(
                "Planned weight lost",
                "The weight of planned meetings not held (a required one counts more than "
                "all optional ones together)",
            ),
            "changes": _mean(
                "Changes",
                "Changes against the plan (a planned meeting not held, held on another day "
                "or venue or more than 10 minutes off its start, or a meeting held that was "
                "not planned)",
            ),
            "knock_on_delay_minutes": _mean(
                "Late starts",
                "Minutes planned meetings started after their planned start on their "
                "planned day, summed over the meetings",
            ),
            "primary_delay_minutes": _mean(
                "Primary delay",
                "Minutes of the disruptions themselves (meeting and session overruns, late "
                "landings, slow rides)",
            ),
            "delay_multiplier": _field(
                ["number", "null"],
                "Delay multiplier",
                "Late starts over primary delay, summed over all replications; null when "
                "there was no primary delay.",
            ),
            "requests_on_the_day": _mean(
                "Requests on the day", "Meetings asked for during the summit"
            ),
            "requests_held": _mean(
                "Requests held", "Meetings asked for during the summit that were held"
            ),
            "late_for_events": _mean(
                "Late for programme events",
                "Programme events a party reached after they started, or missed, over all parties",
            ),
            "minutes_cut": _mean(
                "Minutes cut", "Minutes the policy cut from meetings, over all meetings"
            ),
            "p_principal_missed_event": _probability(
                "A principal missed a programme event",
                "Share of replications in which a principal missed a programme event",
            ),
            "principal_event_late_minutes": _mean(
                "Principals late to programme events",
                "Minutes the principals reached programme events after they started",
            ),
            "replans": _mean("Re-plans", "Times the replan policy called the planner"),
            "replan_failures": _field(
                "integer",
                "Failed re-plans",
                "Re-plans that found no schedule, over all replications.",
                minimum=0,
            ),
            "chosen_replications": _object(
                "Chosen replications",
                "The replications kept in timelines.json, by their number: ranked by the "
                "planned weight lost (required meetings above all), then the minutes of "
                "late starts.",
                {
                    "median": _field(
                        "integer", "Median", "The replication in the middle.", minimum=0
                    ),
                    "worst": _field("integer", "Worst", "The worst replication.", minimum=0),
                },
            ),
            "meetings": _field(
                "array",
                "Meetings",
                "Every requested meeting of the scenario, in scenario order.",
                items=_ref("meeting_stats"),
            ),
            "parties": _field(
                "array",
                "Parties",
                "Every party of the scenario, in scenario order.",
                items=_ref("party_stats"),
            ),
        },
    )


def _difference() -> Schema:
    return _object(
        "Paired difference",
        "Variant a minus variant b on the same replications (common random numbers).",
        {
            "a": _field("string", "a", "The label of the first variant."),
            "b": _field("string", "b", "The label of the second variant."),
            "metric": _enum("Metric", "What is compared, per replication", PAIRED_METRICS),
            "runs": _field("integer", "Replications", "The replications compared.", minimum=1),
            "difference": _interval("Difference", "a minus b."),
        },
    )


def simulation_json_schema() -> Schema:
    """The JSON Schema of ``simulation.json`` (written by ``sim simulate -o DIR``)."""
    schema = _object(
        "simulation.json",
        "The results of 'sim simulate': every (schedule, policy) variant replayed on the "
        "same random disruptions, with its metrics overall, per meeting and per party, "
        "and the paired differences between variants. Deterministic for the same "
        "scenario, schedules and seed (wall-clock re-planning times are in timing.json).",
        {
            "format": _field(
                "integer", "Format", "The version of this file format; always 1.", const=1
            ),
            "scenario": _object(
                "Scenario",
                "The scenario replayed.",
                {
                    "id": _field("string", "Id", "The scenario's id."),
                    "name": _field("string", "Name", "The scenario's name."),
                    "timezone": _field("string", "Time zone", "The IANA time zone of the summit."),
                },
            ),
            "runs": _field("integer", "Replications", "Replications per variant.", minimum=1),
            "seed": _field(
                "integer",
                "Seed",
                "The root random seed; every variant meets the same draws.",
            ),
            "disruptions": _enum("Disruptions", "The disruption model", DISRUPTION_MODELS),
            "variants": _field(
                "array",
                "Variants",
                "Every (schedule, policy) variant, schedules in the order given, then "
                "policies in the order given.",
                minItems=1,
                items=_ref("variant"),
            ),
            "differences": _field(
                "array",
                "Paired differences",
                "For each pair of variants (a before b in the variant list), the four "
                "compared metrics.",
                items=_ref("difference"),
            ),
        },
    )
    return {
        "$schema": DRAFT,
        **schema,
        "$defs": {
            "variant": _variant(),
            "meeting_stats": _meeting_stats(),
            "party_stats": _party_stats(),
            "difference": _difference(),
        },
    }
