// Placeholder: the WeCom crypto lands here.
