"""The regional transfer mechanism (issue 14). For now: the command line around the matching
engine (``python -m vangnet transfers solve INSTANCE.json``); the desk's workflow follows."""
