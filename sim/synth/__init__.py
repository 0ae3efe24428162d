"""Synthetic summits of any size, from a seed: ``summit`` lays out the days,
venues, parties and programme, ``requests`` the meeting requests, ``names``
the labels."""
