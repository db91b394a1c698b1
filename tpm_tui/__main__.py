"""`python -m tpm_tui` runs the command line (as the `tpm` program does)."""

from tpm_tui.statusline import main

if __name__ == "__main__":
    main()
