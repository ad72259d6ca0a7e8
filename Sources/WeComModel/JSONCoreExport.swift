// `JSONValue` is part of the message model's API: every module that imports WeComModel sees it.
@_exported import JSONCore
