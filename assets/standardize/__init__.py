"""Staging layer: standardizers (pure Polars expressions) and the assets that apply them per source."""
