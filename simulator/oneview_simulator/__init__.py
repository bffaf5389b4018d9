"""A simulated HPE OneView appliance: HTTPS REST, sessions, async tasks, eTags and faults.

It is the test double of networking-oneview, the demo's embedded appliance, and a rehearsal tool
for operators.  Start one with ``oneview-simulator`` or ``SimulatorServer(...).start()``.
"""
