"""The simulated ``kubectl``: a command line that reads and writes the cluster's state."""
