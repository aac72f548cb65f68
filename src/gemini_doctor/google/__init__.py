"""Google's vocabulary as data, declared once and checked at import: ``services`` (surfaces, services,
their titles, hosts per location), ``access`` (scopes, roles and their permissions, IAM members),
``status`` (status names, HTTP and gRPC codes) and ``lifecycle`` (models, with dates)."""
