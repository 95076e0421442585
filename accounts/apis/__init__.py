"""The REST API of accounts: authentication, users, personal access tokens."""
