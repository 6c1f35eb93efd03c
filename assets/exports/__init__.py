"""Exports: checked, masked, consent-filtered sets of the golden table and the marts for each consumer."""
