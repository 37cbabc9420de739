"""The library on a SPARQL 1.1 server: protocol client, reader, publish and lease."""
