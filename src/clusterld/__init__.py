"""clusterld: a linked-data publishing toolkit for the cluster ecosystem of the Mediterranean."""

__version__ = "0.1.0"
