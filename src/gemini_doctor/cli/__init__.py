"""The command line: a thin shell over the library. Subcommands are imported only when run."""
