"""What both the parser and the index need to read and write the archive's words and names:
the drug lexicon, the date forms the letters use, and paths as text. Depends on `model` only,
so `ingest` and `engine` share it without importing each other."""
