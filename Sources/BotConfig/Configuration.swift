// Placeholder: configuration lands here.
