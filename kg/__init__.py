"""The knowledge graph: vocabulary, identifiers, building, storing and reading it.

Nothing in this package knows about Flask.
"""
