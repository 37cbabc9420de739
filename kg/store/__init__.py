"""Where built graphs live: the embedded store, the backend switch and the public endpoint."""
