"""Google's vocabulary as data: what Google serves and calls things (model lifecycle in ``lifecycle``)."""
