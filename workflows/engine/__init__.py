"""What runs a workflow: one ChatKit turn through the graph (``turn``), its agent steps as Agents
SDK agents (``agents``)."""
