"""What convoscope keeps on this machine: where it lives (paths), the config file and its
profiles, API keys in the system keyring (secrets), and the history of opened conversations."""
