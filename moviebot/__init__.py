"""The moviebot program: the command line, `run`, and what the import command prints.

This is the top layer (see README, "Architecture"): it builds the core (`bot`) and the
adapters (`adapters`) and wires them together; neither imports it back.
"""
