"""Answer questions from an index: retrieve, rank, compose cited answers, evaluate."""
