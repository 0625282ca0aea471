"""Documents: templates, PAdES sealing and citizen signatures, verification."""

__all__: list[str] = [
    "FieldProblem",
    "InvalidCode",
    "InvalidTemplateData",
    "RenderError",
    "RenderedDocument",
    "SigningError",
    "Template",
    "UnknownTemplate",
    "catalogue",
    "get_template",
    "render_document",
    "schemas",
    "validate",
]

# Imported on first use, so that `import signing` (e.g. for its models) stays cheap.
_HOMES = {
    "FieldProblem": "signing.data_problems", "InvalidCode": "signing.errors",
    "InvalidTemplateData": "signing.data_problems", "RenderError": "signing.errors",
    "SigningError": "signing.errors", "UnknownTemplate": "signing.errors",
    "RenderedDocument": "signing.render", "render_document": "signing.render:render",
    "Template": "signing.templates", "catalogue": "signing.templates",
    "get_template": "signing.templates", "schemas": "signing.templates",
    "validate": "signing.templates",
}


def __getattr__(name: str) -> object:
    """PEP 562: the first `signing.<name>` imports its module and binds the name here, so
    later reads are plain module attributes."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'signing' has no attribute {name!r}")
    import importlib

    module, _, attribute = home.partition(":")
    value = getattr(importlib.import_module(module), attribute or name)
    globals()[name] = value
    return value
