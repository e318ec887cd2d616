"""`python -m flinkops`: the CLI."""

from flinkops.cli import main

if __name__ == "__main__":
    main()
