"""Letters → passages: reading files (corpus), parsing them (parse, metadata, noise, repair)."""
