"""Compliance (合规): policy packs as data and the one pure evaluation of every contact request.

The pure core has no Django import: ``model`` (plain data), ``packs`` (policy packs: load, validate, tighten),
``history`` (a person's contact and state history, indexed for fast evaluation), ``rules`` (one function per
rule kind), ``gate`` (``evaluate(request, at, history, pack) -> Decision``) and ``scenario`` (the replay format of
``SCENARIOS.md``). The management command ``concord compliance`` wraps replay and the pack listing.
"""
