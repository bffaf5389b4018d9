"""Make OneView match Neutron: desired-state readers, pure planners, and the applier."""
