"""Raw layer: one module per source, each a spec plus its asset; adding a source is copying a sibling.

The code location collects every asset defined in this package, so no list needs editing.
"""
