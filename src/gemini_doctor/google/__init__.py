"""Google's vocabulary as data, declared once and checked at import: ``services`` (surfaces, services,
their titles, hosts per location), ``access`` (scopes, roles and their permissions, IAM members),
``status`` (status names, HTTP and gRPC codes) and ``lifecycle`` (models, with dates)."""

from functools import cache


@cache
def model_lifecycle():
    """The :mod:`.lifecycle` module, imported on first use: most errors name no model, and `explain`
    starts light. Hot paths call this rather than import in the function, which costs about 9k
    instructions on every call even when the module is loaded."""
    from . import lifecycle as module

    return module
