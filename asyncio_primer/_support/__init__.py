"""Support code for the primer: runners, tracer, command line, docs helpers. Not lessons."""
