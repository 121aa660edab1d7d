from imrsearch.cli import run

run()
