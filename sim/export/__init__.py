"""Outputs for people and other programs: each module writes one kind of file
from a schedule or simulation results, and never plans or replays."""
