// Placeholder: the stand-in servers land here.
