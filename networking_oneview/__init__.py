"""networking-oneview: an ML2 mechanism driver that mirrors Neutron into HPE OneView."""
