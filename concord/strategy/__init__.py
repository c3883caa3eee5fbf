"""Strategies as data and the portfolio simulator (docs/strategy.md)."""
