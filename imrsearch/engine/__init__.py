"""Everything Whoosh: no other package imports it. Importing the package first trims what
Whoosh itself imports at start-up (see `lean`)."""

from imrsearch.engine import lean

lean.install()
