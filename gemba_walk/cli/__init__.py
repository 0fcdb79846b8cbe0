"""The command line: set-up, demo data, backups, photo pruning (flask <command>)."""
