"""Form definitions shipped with dv (TOML data files, read with importlib.resources)."""
