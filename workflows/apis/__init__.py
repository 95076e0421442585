"""The REST API of workflows: the model registry, workflows and versions, the test console."""
