"""An emulator of Google's Gemini endpoints that reproduces every failure faithfully (like moto for AWS).

One module per Google service (state + routes): ``gemini_api`` today. ``world`` loads the world file
(shared/spec/emulator-world.md), ``scenarios`` holds the built-in worlds, ``testing`` the pytest fixture.
"""
