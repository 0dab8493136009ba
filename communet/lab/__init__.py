"""The lab: the example network on real daemons in network namespaces, built from the model."""
