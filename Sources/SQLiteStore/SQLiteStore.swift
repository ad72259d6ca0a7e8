// Placeholder: the SQLite backend lands here.
