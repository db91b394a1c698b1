"""Which schema this code writes, as plain constants (read by the quickest commands
before anything else is imported; db.py holds the rest of what opening needs)."""

# The newest migration this code knows. A test keeps it equal to the scripts' head,
# so opening a current database never needs to import Alembic (about 0.5 s).
HEAD_REVISION = "0007"
# Stamped into every database tpm creates (PRAGMA application_id, "TPM1"), so tpm can
# tell its own files from another program's before it changes anything.
APPLICATION_ID = 0x54504D31
