// Placeholder: the WeCom message model lands here.
