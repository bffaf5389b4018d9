"""REST resources of the simulated appliance, one module per family."""
