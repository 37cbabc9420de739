"""The RDF layer: our namespaces, the concept vocabulary, identifiers, term conversion and SHACL."""
