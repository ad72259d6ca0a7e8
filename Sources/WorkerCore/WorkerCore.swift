// Placeholder: the worker logic lands here.
