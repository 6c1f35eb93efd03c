"""Small reference tables the standardizers join against, kept as plain Python data so they diff and review well."""
