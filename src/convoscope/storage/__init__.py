"""What convoscope keeps on this machine: where it lives, and the history of opened conversations."""
