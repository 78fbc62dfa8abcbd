"""pytest plugin: collects the transcripts of .md and .rst documents as test items."""
