"""Moving a deployment of the replaced system here (``manage.py import_peer``).

The source is its PostgreSQL, read in a read-only transaction; every step writes through this
project's services, never overwrites what is already here, and reports what it could not carry.
"""
