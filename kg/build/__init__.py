"""Records from ingest/ become an RDF dataset: one named graph per input and version."""
