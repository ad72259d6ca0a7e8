// Placeholder: callback dispatch lands here.
