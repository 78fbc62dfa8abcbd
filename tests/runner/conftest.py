# Fixture documents are inputs to the reader's tests, not tutorials to run.
collect_ignore = ["fixtures"]
