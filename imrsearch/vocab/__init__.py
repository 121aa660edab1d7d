"""Vocabulary both the parser and the index need: the drug lexicon and the date forms the
letters use. Depends on `model` only, so `ingest` and `engine` share it without importing
each other."""
