"""What readers ask: the read model, question understanding, answers, gap map and networks."""
