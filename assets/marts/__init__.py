"""Marts: what the business asks of its customers, one table per question, keyed by golden id."""
