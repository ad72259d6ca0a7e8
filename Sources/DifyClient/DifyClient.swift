// Placeholder: the Dify client lands here.
