"""`python -m tpm_tui` runs the command line."""

from tpm_tui.cli import main

if __name__ == "__main__":
    main()
