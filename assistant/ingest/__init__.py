"""Letters → passages: reading files (corpus, with encoding, pdf, word, under the limits of
limits), parsing them (parse, metadata, noise, repair; text holds shared helpers)."""
