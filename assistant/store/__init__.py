"""Where passages and vectors live: the embedding model, the units it embeds, the index."""
