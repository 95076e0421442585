"""Pages of accounts: log in and out, and My account."""
