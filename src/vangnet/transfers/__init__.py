"""The regional transfer mechanism (issue 14): capacity, candidates with consent and four-eyes
screening, proposals from the matching engine, transfers as a workflow with a warm handover
(`docs/transfers-desk.md`), and the command line around the engine
(``python -m vangnet transfers solve INSTANCE.json``)."""
