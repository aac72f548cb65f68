"""Cloud Logging (logging.googleapis.com): the project's audit log."""
