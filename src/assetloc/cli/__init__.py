"""The command-line shell: one module per command, each a thin shell over the library."""
