"""The experiment layer: batches of replications, statistics and the results store."""
