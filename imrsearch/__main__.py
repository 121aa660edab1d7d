from imrsearch.cli import main

main()
