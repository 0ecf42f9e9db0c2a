"""The bundled worked scenarios (data: YAML files)."""
