"""A PostgreSQL database backend that starts the embedded server on first connection.

Used when ``DATABASE_URL`` is unset. Starting lazily (instead of at settings import) keeps
commands that never touch the database, such as ``makemigrations --check`` or ``help``, fast.
"""
