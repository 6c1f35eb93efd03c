"""Asset definitions, one subpackage per layer."""
