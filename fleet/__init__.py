"""The scale-out harness: the deploy/ topology run with real processes on this machine.

``python -m fleet`` (``make scale-test``) starts a PostgreSQL of its own (the embedded server's
binaries, on their own port, reached through DATABASE_URL), redis-server, the ASGI worker
units and the task worker unit from deploy/systemd (their ExecStart, environment file and
restart policy), and nginx with deploy/nginx/chatkit.conf in front; then drives load and
faults through nginx and checks every thread through the API. See fleet.scenario.
"""
