"""`tpm serve`: the workspace in browser tabs (textual-serve, one app process per tab)."""
