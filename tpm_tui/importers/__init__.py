"""Bringing work in from other tools' export files, and sending it back: backlogs from
Jira, GitHub and Linear (`tpm import --from`), meetings from a calendar file (`tpm
meetings`), and a CSV Jira imports (`tpm export --format jira-csv`). Files in, files
out: no network."""
