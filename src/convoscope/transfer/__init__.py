"""Transfer: copy a conversation to another server, compare two conversations.

Above paging (it walks items) and storage (the copy journal lives in the data dir), below the
TUI and the CLI, which both offer copy and diff. No Textual here.
"""
