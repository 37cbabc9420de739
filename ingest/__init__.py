"""Readers that turn input files into plain records plus problems.

Nothing in this package knows about RDF or Flask: the records are handed to ``kg.build.dataset``.
"""
