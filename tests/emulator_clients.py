"""Test helpers: the package's own app-like client, bound to a running emulator fixture."""

from gemini_doctor.emulator import clients


def google_credentials(emu):
    return clients.google_credentials(emu.client, emu.credentials, emu.url)


def call(emu):
    return clients.call(emu.client, emu.credentials, emu.url)
