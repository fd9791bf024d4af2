"""The ``gdmaps`` command line."""
