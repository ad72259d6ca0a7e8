// Placeholder: the worker wake-up datagrams land here.
