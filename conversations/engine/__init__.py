"""The ChatKit engine: the store on the ORM, the server, the agent and the models it runs on.

Nothing here speaks HTTP: ``conversations.apis`` is the endpoint in front of it.
"""
