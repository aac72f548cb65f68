"""An emulator of Google's Gemini endpoints that reproduces every failure faithfully (like moto for AWS).

One module per Google service in ``services/`` (state, handlers, routes and an ``EMULATED`` declaration),
found by ``backends``; ``app`` serves them all behind Google's front end. ``backends.load_world`` loads the
world file into ``world``'s types, ``scenarios`` holds the built-in worlds, ``testing`` the pytest fixture.
"""
