"""The SimPy replay of a summit and the Monte Carlo around it.

``disruptions`` draws one replication's luck; ``replay`` plays it out with
``state`` (the live records) under a reaction policy from ``policies``, which
acts through the narrow ``control.ReplayControl`` surface; ``replanning``
hands the rest of the summit to a planner passed in (never imported);
``monte_carlo`` runs many replications on an executor (``executors``) and
``metrics`` summarises their ``outcome``.
"""
