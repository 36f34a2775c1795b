"""polybench: the library behind bench/run (see bench/README.md). Standard library only."""
