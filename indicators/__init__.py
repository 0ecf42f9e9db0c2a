"""The bundled questionnaires (data: YAML files, found through importlib.resources)."""
