"""Entity resolution: staged customer records into golden customers (the core layer)."""
